// Compiled by RoslynCodeTaskFactory from build/TorchSharpDebianPatch.targets (docs/adr/0005).
// Kept dependency-free (BCL + MSBuild task API) because it is compiled at build time, outside any project.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Writes a copy of an ELF64 little-endian shared library in which one version-need entry
/// (<c>.gnu.version_r</c> Vernaux, e.g. <c>GLIBCXX_3.4.32</c>) is marked weak (<c>vna_flags |= VER_FLG_WEAK</c>),
/// so the dynamic loader no longer refuses the library on a system whose libstdc++ lacks that version.
/// </summary>
/// <remarks>
/// Safe only when no relocation refers to a symbol bound to that version: then the symbol is never looked up
/// at run time and a missing version changes nothing. The task checks exactly that and fails otherwise, naming
/// the symbols, so a future TorchSharp that really needs a newer libstdc++ breaks the build instead of crashing
/// at the first call. Output depends only on the input bytes (deterministic, idempotent).
/// </remarks>
public sealed class WeakenElfVersionNeed : Task
{
    private const uint ShtRela = 4;
    private const uint ShtRel = 9;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>The library as shipped (read only).</summary>
    [Required]
    public string Source { get; set; } = "";

    /// <summary>Where the patched copy goes (directories are created).</summary>
    [Required]
    public string Destination { get; set; } = "";

    /// <summary>The version-need name to mark weak, e.g. <c>GLIBCXX_3.4.32</c>.</summary>
    [Required]
    public string VersionName { get; set; } = "";

    /// <summary>True when the entry was found (and is now weak); false when the copy is unchanged.</summary>
    [Output]
    public bool Patched { get; set; }

    public override bool Execute()
    {
        byte[] elf;
        try
        {
            elf = File.ReadAllBytes(Source);
        }
        catch (IOException e)
        {
            Log.LogError("Cannot read {0}: {1}", Source, e.Message);
            return false;
        }

        try
        {
            Patched = Patch(elf);
        }
        catch (InvalidDataException e)
        {
            Log.LogError("{0}: {1}", Source, e.Message);
            return false;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(Destination));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // Write beside, then replace: never truncate the old file in place, which output folders may hard-link.
        var temporary = Destination + ".tmp";
        File.WriteAllBytes(temporary, elf);
        File.Delete(Destination);
        File.Move(temporary, Destination);
        Log.LogMessage(
            MessageImportance.Normal,
            Patched ? "Marked version need {0} weak: {1} -> {2}" : "No version need {0} in {1}; copied unchanged to {2}",
            VersionName,
            Source,
            Destination);
        return true;
    }

    private bool Patch(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file (bad magic).");
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new InvalidDataException("the build host is big-endian; this reader assumes a little-endian host.");
        }

        if (elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException($"only 64-bit little-endian ELF is supported (EI_CLASS {elf[4]}, EI_DATA {elf[5]}).");
        }

        var sectionTable = checked((int)U64(elf, 0x28));
        var sectionSize = U16(elf, 0x3a);
        var sectionCount = U16(elf, 0x3c);
        if (sectionTable <= 0 || sectionSize < 64 || sectionTable + ((long)sectionSize * sectionCount) > elf.Length)
        {
            throw new InvalidDataException($"section header table (offset {sectionTable}, {sectionCount} × {sectionSize} bytes) lies outside the file.");
        }

        var sections = new Section[sectionCount];
        for (var i = 0; i < sectionCount; i++)
        {
            var at = sectionTable + (i * sectionSize);
            sections[i] = new Section(U32(elf, at + 4), checked((int)U64(elf, at + 24)), checked((int)U64(elf, at + 32)), (int)U32(elf, at + 40), (int)U32(elf, at + 44), checked((int)U64(elf, at + 56)));
        }

        var verneedIndex = Array.FindIndex(sections, s => s.Type == ShtGnuVerneed);
        if (verneedIndex < 0)
        {
            return false;
        }

        var verneed = sections[verneedIndex];
        var strings = sections[verneed.Link];
        var flagsOffset = -1;
        var versionIndex = 0;
        var need = verneed.Offset;
        for (var n = 0; n < verneed.Info; n++)
        {
            var aux = need + (int)U32(elf, need + 8);
            for (var a = 0; a < U16(elf, need + 2); a++)
            {
                if (Name(elf, strings, U32(elf, aux + 8)) == VersionName)
                {
                    flagsOffset = aux + 4;
                    versionIndex = U16(elf, aux + 6);
                }

                aux += (int)U32(elf, aux + 12);
            }

            need += (int)U32(elf, need + 12);
        }

        if (flagsOffset < 0)
        {
            return false;
        }

        RefuseIfRelocated(elf, sections, versionIndex);
        var flags = (ushort)(U16(elf, flagsOffset) | VerFlgWeak);
        elf[flagsOffset] = (byte)flags;
        elf[flagsOffset + 1] = (byte)(flags >> 8);
        return true;
    }

    /// <summary>Fails when any relocation refers to a symbol whose version is <paramref name="versionIndex"/>.</summary>
    private void RefuseIfRelocated(byte[] elf, Section[] sections, int versionIndex)
    {
        var versymIndex = Array.FindIndex(sections, s => s.Type == ShtGnuVersym);
        if (versymIndex < 0)
        {
            throw new InvalidDataException("has .gnu.version_r but no .gnu.version (symbol versions); cannot check which symbols need the version.");
        }

        var versym = sections[versymIndex];
        var dynsymIndex = versym.Link;
        var dynsym = sections[dynsymIndex];
        var dynstr = sections[dynsym.Link];
        var relocated = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var section in sections)
        {
            if ((section.Type != ShtRela && section.Type != ShtRel) || section.Link != dynsymIndex || section.EntrySize == 0)
            {
                continue;
            }

            for (var at = section.Offset; at + section.EntrySize <= section.Offset + section.Size; at += section.EntrySize)
            {
                var symbol = (int)(U64(elf, at + 8) >> 32);
                if (symbol != 0 && (U16(elf, versym.Offset + (symbol * 2)) & 0x7fff) == versionIndex)
                {
                    relocated.Add(Name(elf, dynstr, U32(elf, dynsym.Offset + (symbol * dynsym.EntrySize))));
                }
            }
        }

        if (relocated.Count > 0)
        {
            throw new InvalidDataException(
                $"relocations refer to symbols of {VersionName} ({string.Join(", ", relocated)}); marking it weak would fail at run time. " +
                "Build on a system whose libstdc++ has that version instead (docs/adr/0005-torchsharp-native-library-patch.md).");
        }
    }

    private static string Name(byte[] elf, Section strings, uint offset)
    {
        var start = strings.Offset + (int)offset;
        var end = Array.IndexOf(elf, (byte)0, start);
        if (start >= elf.Length || end < 0)
        {
            throw new InvalidDataException($"string offset {offset} lies outside the string table.");
        }

        return Encoding.ASCII.GetString(elf, start, end - start);
    }

    private static ushort U16(byte[] b, int at) => BitConverter.ToUInt16(b, at);

    private static uint U32(byte[] b, int at) => BitConverter.ToUInt32(b, at);

    private static ulong U64(byte[] b, int at) => BitConverter.ToUInt64(b, at);

    private readonly struct Section
    {
        public Section(uint type, int offset, int size, int link, int info, int entrySize)
        {
            Type = type;
            Offset = offset;
            Size = size;
            Link = link;
            Info = info;
            EntrySize = entrySize;
        }

        public uint Type { get; }

        public int Offset { get; }

        public int Size { get; }

        public int Link { get; }

        public int Info { get; }

        public int EntrySize { get; }
    }
}
