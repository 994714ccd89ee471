using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using TorchSharp;

namespace ModelDsl.Runtime;

/// <summary>
/// Loads TorchSharp's native library before the runtime first uses TorchSharp, so that a failure says why.
/// TorchSharp reports every failure to load it as a missing libtorch package reference, including the usual one on
/// Debian 12 and Ubuntu 22.04: TorchSharp 0.107.0's libLibTorchSharp.so needs GLIBCXX_3.4.32, which their libstdc++
/// lacks unless the ModelDsl package's build targets repaired the application's copy.
/// </summary>
public static partial class TorchLibrary
{
    // The names TorchSharp loads, in its order: libtorch first, so that its own library's dependency resolves.
    private const string LibTorchCpu = "torch_cpu";
    private const string TorchSharpNative = "LibTorchSharp";
    private const string RepairProperty = "ModelDslRepairLibTorchSharp";

    private static readonly Lock Gate = new();
    private static volatile bool loaded;

    /// <summary>
    /// Loads TorchSharp's native library and libtorch's CPU backend once; later calls return at once.
    /// Throws <see cref="InvalidOperationException"/> naming the cause and the fix when the library does not load.
    /// </summary>
    public static void EnsureLoaded()
    {
        if (loaded)
            return;
        lock (Gate)
        {
            if (loaded)
                return;
            Load();
            loaded = true;
        }
    }

    // Nothing here may touch a static member of torch before the library loads: its static constructor runs
    // TorchSharp's own load, which prints its misleading message and copies libtorch out of the NuGet cache.
    private static void Load()
    {
        NativeHeap.Tune();
        var assembly = typeof(torch).Assembly;
        NativeLibrary.TryLoad(LibTorchCpu, assembly, searchPath: null, out _);
        try
        {
            NativeLibrary.Load(TorchSharpNative, assembly, searchPath: null);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw new InvalidOperationException(Explain(e.Message, assembly), e);
        }

        // The library is loaded now, so TorchSharp's own load of it succeeds and only initializes the backend.
        torch.InitializeDeviceType(DeviceType.CPU);
    }

    /// <summary>What failed, why and the fix, from the loader's message (dlerror's text for every path it tried).</summary>
    private static string Explain(string loaderMessage, Assembly torchSharp)
    {
        const string failed = "ModelDsl could not load TorchSharp's native library (LibTorchSharp)";
        string cause;
        string fix;
        if (MissingVersion().Match(loaderMessage) is { Success: true } version)
        {
            var name = version.Groups["version"].Value;
            cause = $"{version.Groups["library"].Value} lacks the symbol version {name}, which {version.Groups["by"].Value} "
                + "asks for (TorchSharp itself reports this as a missing libtorch package reference, which it is not)";
            fix = name.StartsWith("GLIBCXX_", StringComparison.Ordinal)
                ? "Build or publish the application with the ModelDsl package's build targets, which mark that one "
                    + $"requirement weak in the application's own copy (property {RepairProperty}: auto repairs the build "
                    + "where this host's libstdc++ lacks it and every publish; true always), or install a libstdc++ from GCC 13 or later"
                : "Run on a newer Linux distribution, or use a TorchSharp build made for this one";
        }
        else if (MissingLibTorch().Match(loaderMessage) is { Success: true } libTorch)
        {
            cause = $"libtorch is missing ({libTorch.Groups["library"].Value} was not found)";
            var release = torchSharp.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
            fix = $"Reference a libtorch package from the application: TorchSharp-cpu {release} (TorchSharp with the CPU libtorch), "
                + $"libtorch-cpu-linux-x64 in the version TorchSharp {release} was built for, or a CUDA one such as TorchSharp-cuda-linux";
        }
        else if (loaderMessage.Contains("cannot open shared object file", StringComparison.Ordinal))
        {
            cause = "the library is not in the application's output";
            fix = "TorchSharp ships it for linux-x64, win-x64, win-arm64 and osx-arm64; build for one of those runtimes";
        }
        else
        {
            cause = "the loader refused it";
            fix = "See the loader's message below";
        }

        return $"{failed}: {cause}. {fix}.{Environment.NewLine}The loader said: {loaderMessage}";
    }

    // glibc: "/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /app/libLibTorchSharp.so)"
    [GeneratedRegex(@"(?<library>[^\s:]+): version `(?<version>[^']+)' not found \(required by (?<by>[^)]+)\)")]
    private static partial Regex MissingVersion();

    // glibc: "libtorch_cpu.so: cannot open shared object file: No such file or directory"; case matters, so
    // TorchSharp's own libLibTorchSharp.so does not match.
    [GeneratedRegex(@"(?<library>lib(?:torch|c10)[\w.-]*\.so[\w.]*): cannot open shared object file")]
    private static partial Regex MissingLibTorch();
}
