#nullable enable
// MSBuild compiles this file itself (RoslynCodeTaskFactory, see ModelDsl.TorchSharp.targets), against
// netstandard2.0: no Span or BinaryPrimitives, so the ELF fields are read byte by byte.
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelDsl.Build;

/// <summary>
/// Marks one symbol version requirement (GLIBCXX_3.4.32 for TorchSharp 0.107.0) weak in copies of ELF libraries, so
/// that glibc's loader accepts a libstdc++ without that version. Each library is read from its path and, where it
/// needs the version, written patched to its <c>RepairedPath</c> metadata, only when that copy is missing or differs.
/// <see cref="Result"/> holds the items to copy instead: the repaired copy (carrying the original's metadata), or the
/// original where nothing needed repairing. A library's own path is never written.
/// </summary>
public sealed class WeakenVersionNeed : Microsoft.Build.Utilities.Task
{
    /// <summary>The metadata that names where a library's repaired copy goes.</summary>
    public const string RepairedPathMetadata = "RepairedPath";

    [Required]
    public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string VersionName { get; set; } = string.Empty;

    /// <summary>
    /// A soname (libstdc++.so.6): when this host's copy of it defines <see cref="VersionName"/>, nothing is repaired.
    /// Empty repairs regardless, as a publish for another machine must.
    /// </summary>
    public string HostLibrary { get; set; } = string.Empty;

    [Output]
    public ITaskItem[] Result { get; private set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        if (HostLibrary.Length > 0 && HostProvidesVersion())
        {
            Result = Libraries;
            return true;
        }

        var result = new List<ITaskItem>();
        var destinations = new HashSet<string>(StringComparer.Ordinal);
        foreach (var library in Libraries)
        {
            var repairedPath = library.GetMetadata(RepairedPathMetadata);
            if (repairedPath.Length == 0)
            {
                Log.LogError($"modeldsl: {library.ItemSpec} has no {RepairedPathMetadata} metadata");
                return false;
            }

            // Publish lists both the package's file and the build's repaired copy for one destination; one is enough.
            var destination = Path.GetFullPath(repairedPath);
            if (!destinations.Add(destination))
                continue;

            VersionNeed before;
            bool written;
            try
            {
                before = ElfVersions.WeakenNeedInCopy(library.ItemSpec, destination, VersionName, out written);
            }
            catch (Exception e) when (e is InvalidDataException || e is IOException || e is UnauthorizedAccessException)
            {
                Log.LogError($"modeldsl: cannot repair {library.ItemSpec}: {e.Message}");
                return false;
            }

            if (before == VersionNeed.Absent)
            {
                result.Add(library);
                continue;
            }

            if (written)
                Log.LogMessage(MessageImportance.High, $"modeldsl: {VersionName} marked weak in {destination}");
            var repaired = new TaskItem(destination);
            library.CopyMetadataTo(repaired);
            result.Add(repaired);
        }

        Result = result.ToArray();
        return true;
    }

    private bool HostProvidesVersion()
    {
        var host = HostLibraries.Find(HostLibrary);
        if (host is null)
        {
            Log.LogMessage(MessageImportance.Low, $"modeldsl: no {HostLibrary} found on this host; repairing");
            return false;
        }

        try
        {
            var provides = ElfVersions.DefinesVersion(File.ReadAllBytes(host), VersionName);
            Log.LogMessage(MessageImportance.Low, $"modeldsl: {host} {(provides ? "defines" : "lacks")} {VersionName}");
            return provides;
        }
        catch (Exception e) when (e is InvalidDataException || e is IOException || e is UnauthorizedAccessException)
        {
            // The weak flag is harmless where the version exists, so an unreadable host library means repair.
            Log.LogMessage(MessageImportance.Low, $"modeldsl: cannot read {host} ({e.Message}); repairing");
            return false;
        }
    }
}

/// <summary>How an ELF file asks for a symbol version.</summary>
public enum VersionNeed
{
    /// <summary>It does not ask for it.</summary>
    Absent,

    /// <summary>It asks for it and fails to load without it.</summary>
    Required,

    /// <summary>It asks for it weakly (VER_FLG_WEAK): glibc's loader accepts a library without it.</summary>
    Weak,
}

/// <summary>
/// Reads and edits the GNU symbol versioning sections of 64-bit little-endian ELF files: the versions a file needs
/// (SHT_GNU_verneed, .gnu.version_r) and the versions a library defines (SHT_GNU_verdef, .gnu.version_d).
/// Anything that is not such a file, or whose tables point outside it, is an <see cref="InvalidDataException"/>.
/// </summary>
public static class ElfVersions
{
    private static readonly byte[] Magic = { 0x7f, (byte)'E', (byte)'L', (byte)'F' };
    private const int ClassIndex = 4;
    private const byte Class64 = 2;
    private const int DataIndex = 5;
    private const byte DataLittleEndian = 1;

    // Elf64_Ehdr
    private const int FileHeaderSize = 64;
    private const int SectionTableOffsetField = 40;
    private const int SectionEntrySizeField = 58;
    private const int SectionCountField = 60;

    // Elf64_Shdr
    private const int SectionHeaderSize = 64;
    private const int SectionTypeField = 4;
    private const int SectionOffsetField = 24;
    private const int SectionSizeField = 32;
    private const int SectionLinkField = 40;
    private const int SectionInfoField = 44;

    private const uint SectionTypeVersionDefinitions = 0x6ffffffd;
    private const uint SectionTypeVersionNeeds = 0x6ffffffe;

    // Elf64_Verneed and Elf64_Vernaux
    private const int NeedSize = 16;
    private const int NeedAuxCountField = 2;
    private const int NeedAuxOffsetField = 8;
    private const int NeedNextField = 12;
    private const int NeedAuxSize = 16;
    private const int NeedAuxFlagsField = 4;
    private const int NeedAuxNameField = 8;
    private const int NeedAuxNextField = 12;

    // Elf64_Verdef and Elf64_Verdaux
    private const int DefinitionSize = 20;
    private const int DefinitionFlagsField = 2;
    private const int DefinitionAuxOffsetField = 12;
    private const int DefinitionNextField = 16;
    private const int DefinitionAuxSize = 8;
    private const int DefinitionAuxNameField = 0;

    private const ushort VersionFlagBase = 0x1;
    private const ushort VersionFlagWeak = 0x2;

    /// <summary>How <paramref name="image"/> asks for <paramref name="versionName"/>; Required if any entry is strong.</summary>
    public static VersionNeed GetNeed(byte[] image, string versionName)
    {
        var state = VersionNeed.Absent;
        foreach (var flagsOffset in NeedFlagOffsets(image, versionName))
        {
            if ((ReadUInt16(image, flagsOffset) & VersionFlagWeak) == 0)
                return VersionNeed.Required;
            state = VersionNeed.Weak;
        }

        return state;
    }

    /// <summary>Marks every need for <paramref name="versionName"/> weak in place; returns how it was asked for before.</summary>
    public static VersionNeed WeakenNeed(byte[] image, string versionName)
    {
        var before = GetNeed(image, versionName);
        if (before == VersionNeed.Required)
        {
            foreach (var flagsOffset in NeedFlagOffsets(image, versionName))
                WriteUInt16(image, flagsOffset, (ushort)(ReadUInt16(image, flagsOffset) | VersionFlagWeak));
        }

        return before;
    }

    /// <summary>
    /// Writes <paramref name="source"/> to <paramref name="destination"/> with <paramref name="versionName"/> weak,
    /// unless the source does not ask for it (nothing is written) or the destination already holds exactly that.
    /// The destination is replaced by renaming a new file over it, so a link there never carries the write elsewhere.
    /// </summary>
    public static VersionNeed WeakenNeedInCopy(string source, string destination, string versionName, out bool written)
    {
        written = false;
        var image = File.ReadAllBytes(source);
        VersionNeed before;
        try
        {
            before = WeakenNeed(image, versionName);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }

        if (before == VersionNeed.Absent || (File.Exists(destination) && SameBytes(File.ReadAllBytes(destination), image)))
            return before;

        var directory = Path.GetDirectoryName(destination)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, Path.GetRandomFileName());
        try
        {
            // Copying first keeps the source's permissions; the write then truncates and refills the copy.
            File.Copy(source, temporary, overwrite: true);
            File.WriteAllBytes(temporary, image);
            if (File.Exists(destination))
                File.Replace(temporary, destination, destinationBackupFileName: null);
            else
                File.Move(temporary, destination);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }

        written = true;
        return before;
    }

    /// <summary>Whether the library <paramref name="image"/> defines the symbol version <paramref name="versionName"/>.</summary>
    public static bool DefinesVersion(byte[] image, string versionName)
    {
        foreach (var section in Sections(image, SectionTypeVersionDefinitions))
        {
            var strings = StringTable(image, section.Link);
            var entry = section.Offset;
            for (var i = 0u; i < section.Info; i++)
            {
                Require(image, entry, DefinitionSize, section);
                var flags = ReadUInt16(image, entry + DefinitionFlagsField);
                var aux = entry + ReadUInt32(image, entry + DefinitionAuxOffsetField);
                Require(image, aux, DefinitionAuxSize, section);

                // The base entry names the library itself; the first aux entry of any other is the version's name.
                if ((flags & VersionFlagBase) == 0
                    && ReadString(image, strings, ReadUInt32(image, aux + DefinitionAuxNameField)) == versionName)
                    return true;

                var next = ReadUInt32(image, entry + DefinitionNextField);
                if (next == 0)
                    break;
                entry += next;
            }
        }

        return false;
    }

    private static List<long> NeedFlagOffsets(byte[] image, string versionName)
    {
        var offsets = new List<long>();
        foreach (var section in Sections(image, SectionTypeVersionNeeds))
        {
            var strings = StringTable(image, section.Link);
            var need = section.Offset;
            for (var i = 0u; i < section.Info; i++)
            {
                Require(image, need, NeedSize, section);
                var aux = need + ReadUInt32(image, need + NeedAuxOffsetField);
                var auxCount = ReadUInt16(image, need + NeedAuxCountField);
                for (var j = 0; j < auxCount; j++)
                {
                    Require(image, aux, NeedAuxSize, section);
                    if (ReadString(image, strings, ReadUInt32(image, aux + NeedAuxNameField)) == versionName)
                        offsets.Add(aux + NeedAuxFlagsField);
                    var nextAux = ReadUInt32(image, aux + NeedAuxNextField);
                    if (nextAux == 0)
                        break;
                    aux += nextAux;
                }

                var next = ReadUInt32(image, need + NeedNextField);
                if (next == 0)
                    break;
                need += next;
            }
        }

        return offsets;
    }

    private struct Section
    {
        public long Offset;
        public long Size;
        public uint Link;
        public uint Info;
    }

    private static List<Section> Sections(byte[] image, uint type)
    {
        var headers = SectionHeaders(image);
        var found = new List<Section>();
        foreach (var header in headers)
        {
            if (ReadUInt32(image, header + SectionTypeField) == type)
                found.Add(ReadSection(image, header));
        }

        return found;
    }

    private static List<long> SectionHeaders(byte[] image)
    {
        if (image.Length < FileHeaderSize || !StartsWithMagic(image))
            throw new InvalidDataException("not an ELF file");
        if (image[ClassIndex] != Class64 || image[DataIndex] != DataLittleEndian)
            throw new InvalidDataException("not a 64-bit little-endian ELF file");

        var table = ReadOffset(image, SectionTableOffsetField);
        var entrySize = ReadUInt16(image, SectionEntrySizeField);
        long count = ReadUInt16(image, SectionCountField);
        if (table == 0)
            throw new InvalidDataException("ELF file without section headers");
        if (entrySize < SectionHeaderSize)
            throw new InvalidDataException($"ELF section header size {entrySize} is below {SectionHeaderSize}");

        // With 0xff00 sections or more, e_shnum is 0 and the real count is section 0's sh_size (gABI).
        if (count == 0)
        {
            RequireInFile(image, table, SectionHeaderSize);
            count = ReadOffset(image, table + SectionSizeField);
        }

        if (count > image.Length / entrySize)
            throw new InvalidDataException("ELF section header table lies outside the file (truncated or corrupt)");
        RequireInFile(image, table, count * entrySize);
        var headers = new List<long>();
        for (var i = 0L; i < count; i++)
            headers.Add(table + (i * entrySize));
        return headers;
    }

    private static Section ReadSection(byte[] image, long header)
    {
        var section = new Section
        {
            Offset = ReadOffset(image, header + SectionOffsetField),
            Size = ReadOffset(image, header + SectionSizeField),
            Link = ReadUInt32(image, header + SectionLinkField),
            Info = ReadUInt32(image, header + SectionInfoField),
        };
        RequireInFile(image, section.Offset, section.Size);
        return section;
    }

    private static Section StringTable(byte[] image, uint index)
    {
        var headers = SectionHeaders(image);
        if (index >= headers.Count)
            throw new InvalidDataException($"ELF version section links to section {index}, past the last one");
        return ReadSection(image, headers[(int)index]);
    }

    private static string ReadString(byte[] image, Section strings, uint offset)
    {
        var start = strings.Offset + offset;
        var end = strings.Offset + strings.Size;
        for (var i = start; i < end; i++)
        {
            if (image[i] == 0)
                return Encoding.ASCII.GetString(image, (int)start, (int)(i - start));
        }

        throw new InvalidDataException("ELF string runs past its string table");
    }

    private static bool StartsWithMagic(byte[] image)
    {
        for (var i = 0; i < Magic.Length; i++)
        {
            if (image[i] != Magic[i])
                return false;
        }

        return true;
    }

    private static bool SameBytes(byte[] left, byte[] right)
    {
        if (left.Length != right.Length)
            return false;
        for (var i = 0; i < left.Length; i++)
        {
            if (left[i] != right[i])
                return false;
        }

        return true;
    }

    private static void Require(byte[] image, long offset, long size, Section section)
    {
        if (offset < section.Offset || offset + size > section.Offset + section.Size)
            throw new InvalidDataException("ELF version entry lies outside its section");
        RequireInFile(image, offset, size);
    }

    private static void RequireInFile(byte[] image, long offset, long size)
    {
        if (offset < 0 || size < 0 || offset > image.Length - size)
            throw new InvalidDataException("ELF table lies outside the file (truncated or corrupt)");
    }

    private static ushort ReadUInt16(byte[] image, long offset)
    {
        RequireInFile(image, offset, sizeof(ushort));
        return (ushort)(image[offset] | (image[offset + 1] << 8));
    }

    private static uint ReadUInt32(byte[] image, long offset) =>
        ReadUInt16(image, offset) | ((uint)ReadUInt16(image, offset + sizeof(ushort)) << 16);

    private static ulong ReadUInt64(byte[] image, long offset) =>
        ReadUInt32(image, offset) | ((ulong)ReadUInt32(image, offset + sizeof(uint)) << 32);

    /// <summary>A 64-bit file offset or size; one past any file's length is as corrupt as one past this file's.</summary>
    private static long ReadOffset(byte[] image, long offset)
    {
        var value = ReadUInt64(image, offset);
        if (value > (ulong)image.Length)
            throw new InvalidDataException("ELF table lies outside the file (truncated or corrupt)");
        return (long)value;
    }

    private static void WriteUInt16(byte[] image, long offset, ushort value)
    {
        RequireInFile(image, offset, sizeof(ushort));
        image[offset] = (byte)value;
        image[offset + 1] = (byte)(value >> 8);
    }
}

/// <summary>Finds the copy of a shared library that the dynamic loader uses on this host.</summary>
public static class HostLibraries
{
    private const string ProcessMaps = "/proc/self/maps";

    /// <summary>
    /// The file behind <paramref name="soname"/> (libstdc++.so.6), or null. First the copy mapped into this process:
    /// MSBuild runs on .NET, whose runtime links libstdc++, so that is the one ld.so chose here, through its cache and
    /// LD_LIBRARY_PATH. Otherwise the first found in the loader's default directories for this architecture.
    /// </summary>
    public static string? Find(string soname)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            return null;
        return FindMapped(soname) ?? FindInDefaultDirectories(soname);
    }

    private static string? FindMapped(string soname)
    {
        if (!File.Exists(ProcessMaps))
            return null;
        foreach (var line in File.ReadAllLines(ProcessMaps))
        {
            // The path is the last field and the only one that starts with '/'; it may hold spaces.
            var pathStart = line.IndexOf('/');
            if (pathStart < 0)
                continue;
            var path = line.Substring(pathStart);
            var name = Path.GetFileName(path);
            if ((name == soname || name.StartsWith(soname + ".", StringComparison.Ordinal)) && File.Exists(path))
                return path;
        }

        return null;
    }

    private static string? FindInDefaultDirectories(string soname)
    {
        foreach (var directory in DefaultDirectories())
        {
            var path = Path.Combine(directory, soname);
            if (File.Exists(path))
                return path;
        }

        return null;
    }

    private static string[] DefaultDirectories()
    {
        // Debian and Ubuntu keep libraries in multiarch directories, Fedora and SUSE in lib64, Arch in lib.
        switch (RuntimeInformation.ProcessArchitecture)
        {
            case Architecture.X64:
                return new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib" };
            case Architecture.Arm64:
                return new[] { "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib" };
            default:
                return new[] { "/lib", "/usr/lib" };
        }
    }
}
