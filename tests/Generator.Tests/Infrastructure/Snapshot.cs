using System.Runtime.CompilerServices;

namespace ModelDsl.Generator.Tests.Infrastructure;

/// <summary>
/// Snapshot assertions with Verify's conventions: <c>{Class}.{Test}.verified.cs</c> beside the test file is the
/// accepted output; a mismatch writes <c>{Class}.{Test}.received.cs</c> next to it and fails. Run with
/// <c>MODELDSL_ACCEPT=1</c> (or <c>VERIFY_ACCEPT=1</c>) to accept the received output instead.
/// </summary>
internal static class Snapshot
{
    public static void Verify(string actual, string testClass, [CallerMemberName] string testName = "", [CallerFilePath] string testFile = "")
    {
        var directory = Path.GetDirectoryName(testFile)!;
        var verified = Path.Combine(directory, $"{testClass}.{testName}.verified.cs");
        var received = Path.Combine(directory, $"{testClass}.{testName}.received.cs");
        actual = actual.Replace("\r\n", "\n");

        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        if (Accepting)
        {
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot yet: review {received}, then rename it to {Path.GetFileName(verified)} or run with MODELDSL_ACCEPT=1."
            : $"The output differs from {Path.GetFileName(verified)} {FirstDifference(expected, actual)}; see {received} (MODELDSL_ACCEPT=1 accepts it).");
    }

    private static bool Accepting =>
        Environment.GetEnvironmentVariable("MODELDSL_ACCEPT") is "1" or "true" ||
        Environment.GetEnvironmentVariable("VERIFY_ACCEPT") is "1" or "true";

    private static string FirstDifference(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var e = i < expectedLines.Length ? expectedLines[i] : "<end of file>";
            var a = i < actualLines.Length ? actualLines[i] : "<end of file>";
            if (e != a)
            {
                return $"at line {i + 1}:\n  verified: {e}\n  received: {a}\n";
            }
        }

        return string.Empty;
    }
}
