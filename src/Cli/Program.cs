using System.Reflection;
using System.Text;
using ModelDsl.Spec;

namespace ModelDsl.Cli;

/// <summary>
/// <c>modeldsl check|summary FILE...</c>: the generator's checks and shape table without a build. Diagnostics go to
/// stdout in MSBuild's format so editors and CI pick them up; problems with the command line or the files
/// themselves go to stderr.
/// </summary>
public static class Program
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    /// <summary>Files larger than this are refused unread; a model file is a few hundred bytes.</summary>
    private const long MaxFileBytes = 4L * YamlFrontEnd.MaxLength;

    private const string Usage = """
        Usage:
          modeldsl check FILE...     report problems as file(line,col): error MDSL0xx: message
          modeldsl summary FILE...   print each model's layers, output shapes and parameter counts
          modeldsl --help            show this help
          modeldsl --version         show the version

        Exit codes: 0 no errors, 1 errors (in a model or reading a file), 2 wrong usage.
        Diagnostics are explained in docs/diagnostics.md.
        """;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>The whole tool, with its output streams passed in so tests can run it in-process.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            return Dispatch(args, stdout, stderr);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            stderr.WriteLine($"modeldsl: internal error: {ex.GetType().Name}: {ex.Message}");
            return Failure;
        }
    }

    private static int Dispatch(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0)
        {
            stderr.WriteLine("modeldsl: missing command");
            stderr.WriteLine(Usage);
            return UsageError;
        }

        switch (args[0])
        {
            case "-h" or "--help" or "help" or "-?":
                stdout.WriteLine("modeldsl: check ModelDsl model files and show their shapes without a build.");
                stdout.WriteLine();
                stdout.WriteLine(Usage);
                return Success;
            case "--version":
                stdout.WriteLine(typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown");
                return Success;
            case "check" or "summary":
                break;
            default:
                var hint = args[0].StartsWith("-", StringComparison.Ordinal) ? string.Empty : ClosestCommand(args[0]);
                stderr.WriteLine($"modeldsl: unknown command '{args[0]}'{hint}");
                stderr.WriteLine(Usage);
                return UsageError;
        }

        var files = new List<string>();
        var optionsEnded = false;
        foreach (var arg in args.Skip(1))
        {
            if (!optionsEnded && arg == "--")
            {
                optionsEnded = true;
            }
            else if (!optionsEnded && arg.Length > 1 && arg.StartsWith("-", StringComparison.Ordinal))
            {
                stderr.WriteLine($"modeldsl: unknown option '{arg}'");
                stderr.WriteLine(Usage);
                return UsageError;
            }
            else
            {
                files.Add(arg);
            }
        }

        if (files.Count == 0)
        {
            stderr.WriteLine($"modeldsl: '{args[0]}' needs at least one model file");
            stderr.WriteLine(Usage);
            return UsageError;
        }

        var summary = args[0] == "summary";
        var failed = false;
        foreach (var file in files)
        {
            failed |= !Process(file, summary, stdout, stderr);
        }

        return failed ? Failure : Success;
    }

    private static string ClosestCommand(string written) =>
        Suggestions.Closest(written, new[] { "check", "summary" }) is { } command ? $"; did you mean '{command}'?" : string.Empty;

    /// <summary>Checks one file and prints what it found; false when the file has errors or cannot be read.</summary>
    private static bool Process(string file, bool summary, TextWriter stdout, TextWriter stderr)
    {
        var text = Read(file, stderr);
        if (text == null)
        {
            return false;
        }

        var analysis = ModelAnalyzer.AnalyzeYaml(file, text, defaultNamespace: null);
        foreach (var diagnostic in analysis.Diagnostics)
        {
            stdout.WriteLine(diagnostic.ToString());
        }

        if (summary && analysis.Spec != null)
        {
            stdout.Write(ModelSummary.Format(analysis.Spec));
        }

        return !analysis.HasErrors;
    }

    /// <summary>
    /// The file's text: UTF-8 unless a byte-order mark says otherwise, with bytes that are not UTF-8 decoded as
    /// U+FFFD so the front end can point at them. Null, with a message, when it cannot be read.
    /// </summary>
    private static string? Read(string file, TextWriter stderr)
    {
        try
        {
            if (Directory.Exists(file))
            {
                stderr.WriteLine($"modeldsl: '{file}' is a directory; pass model files, such as {Path.Combine(file, "*.model.yaml")}");
                return null;
            }

            var info = new FileInfo(file);
            if (!info.Exists)
            {
                stderr.WriteLine($"modeldsl: '{file}' does not exist");
                return null;
            }

            if (info.Length > MaxFileBytes)
            {
                stderr.WriteLine($"modeldsl: '{file}' is {info.Length:N0} bytes; model files are small, and this one is over the {MaxFileBytes:N0}-byte limit");
                return null;
            }

            using var reader = new StreamReader(file, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            stderr.WriteLine($"modeldsl: cannot read '{file}': {ex.Message}");
            return null;
        }
    }
}
