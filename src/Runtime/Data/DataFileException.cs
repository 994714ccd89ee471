namespace ModelDsl.Runtime.Data;

/// <summary>
/// Bad data in a file, named where it is: the file, the row and column (CSV), the entry (NumPy archives) or the image,
/// what was found there and what was expected. Loaders throw it instead of skipping, truncating or guessing.
/// </summary>
public sealed class DataFileException : IOException
{
    public DataFileException(string file, string location, string found, string expected)
        : base($"{file}: {location}: found {found}, expected {expected}")
    {
        File = file;
        Location = location;
        Found = found;
        Expected = expected;
    }

    /// <summary>The file (or image) the bad data is in.</summary>
    public string File { get; }

    /// <summary>Where in it: "row 12, column 'wind'", "entry 'x.npy'", "the header".</summary>
    public string Location { get; }

    public string Found { get; }
    public string Expected { get; }
}
