using Retain.Data;

namespace Retain.Datasets.Reading;

/// <summary>The standard splits a dataset folder's file names can name.</summary>
public enum DataSplit
{
    /// <summary>train, training.</summary>
    Train,
    /// <summary>validation, valid, dev, val.</summary>
    Validation,
    /// <summary>test, testing, eval, evaluation.</summary>
    Test,
}

/// <summary>
/// The files a data path stands for. A file is itself. A folder is a dataset: a hub-cache folder
/// (<c>datasets--org--name</c>, optionally <c>@revision</c>) is its snapshot (<see cref="HubCacheFolder"/>: the revision's,
/// else the one <c>refs/main</c> names, else the newest);
/// its data files (<c>.parquet</c>, <c>.arrow</c>, <c>.jsonl</c>, <c>.json</c>, <c>.csv</c>, in any subfolder) are
/// assigned to splits by name as the Hugging Face <c>datasets</c> library does: a split keyword (train/training;
/// validation/valid/dev/val; test/testing/eval/evaluation) delimited by one of <c>-._ /</c> or a digit, in the file
/// or folder name (<c>data/train-00000-of-00002.parquet</c>, <c>train/data-00000-of-00001.arrow</c>,
/// <c>gsm8k-test.arrow</c>); when no file names a split, every file is train. Shards of a split are read in name order.
/// </summary>
public static class DataFiles
{
    private static readonly string[] DataExtensions = [".parquet", ".arrow", ".jsonl", ".json", ".csv"];

    /// <summary>Metadata files the datasets library writes beside its data, never data themselves.</summary>
    private static readonly HashSet<string> MetadataFiles = new(StringComparer.OrdinalIgnoreCase)
    {
        "dataset_info.json", "dataset_infos.json", "state.json", "dataset_dict.json",
    };

    private static readonly Dictionary<DataSplit, string[]> Keywords = new()
    {
        [DataSplit.Train] = ["train", "training"],
        [DataSplit.Validation] = ["validation", "valid", "dev", "val"],
        [DataSplit.Test] = ["test", "testing", "eval", "evaluation"],
    };

    /// <summary>Whether <paramref name="path"/> is a folder (a dataset whose files are chosen by split).</summary>
    public static bool IsFolder(string path) => !File.Exists(path) && Directory.Exists(HubCacheFolder.SplitRevision(path).Folder);

    /// <summary>
    /// The files of <paramref name="path"/> for <paramref name="split"/>: the file itself, or the split's files of a
    /// dataset folder (none when the folder has files for other splits only). All must have one format.
    /// </summary>
    public static IReadOnlyList<string> Of(string path, DataSplit split)
    {
        if (!IsFolder(path)) return [path];
        string root = DatasetRoot(path);
        var files = Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(f => DataExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase) && !MetadataFiles.Contains(Path.GetFileName(f)))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.Split('/').Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            throw new DataException($"{path}: the folder has no data files ({string.Join(", ", DataExtensions)}).");
        }
        var named = files.Where(f => SplitOf(f) is not null).ToList();
        var chosen = named.Count == 0
            ? split == DataSplit.Train ? files : []
            : named.Where(f => SplitOf(f) == split).ToList();
        var configurations = chosen.Select(Configuration).Distinct().ToList();
        if (configurations.Count > 1)
        {
            throw new DataException($"{root}: the {Name(split)} split has files in several configurations ({string.Join(", ", configurations.Select(c => c.Length == 0 ? "(top level)" : c + "/"))}); name one folder, e.g. {Path.Combine(root, configurations.First(c => c.Length > 0))}.");
        }
        var formats = chosen.Select(f => Path.GetExtension(f).ToLowerInvariant()).Distinct().ToList();
        if (formats.Count > 1)
        {
            throw new DataException($"{root}: the {Name(split)} split has files in several formats ({string.Join(", ", chosen)}); name one file, or a folder holding one format.");
        }
        return chosen.Select(f => Path.Combine(root, f)).ToList();
    }

    /// <summary>Like <see cref="Of"/>, but a folder without files of <paramref name="split"/> is an error saying how they are named.</summary>
    public static IReadOnlyList<string> Require(string path, DataSplit split)
    {
        var files = Of(path, split);
        if (files.Count > 0) return files;
        throw new DataException($"{path}: the folder has no {Name(split)} files (a file or folder name with '{Name(split)}', as data/{Name(split)}-00000-of-00001.parquet or {Name(split)}/data-00000-of-00001.arrow).");
    }

    /// <summary>Opens a data file for reading; a missing or unreadable file is a <see cref="DataException"/>.</summary>
    internal static FileStream OpenRead(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataException($"{path}: cannot open the file: {e.Message}", e);
        }
    }

    /// <summary>The split a relative file path names, or null.</summary>
    public static DataSplit? SplitOf(string relativePath)
    {
        string path = relativePath.Replace('\\', '/');
        string withoutExtension = path[..^Path.GetExtension(path).Length];
        foreach (var (split, keywords) in Keywords)
        {
            foreach (var keyword in keywords)
            {
                for (int at = withoutExtension.IndexOf(keyword, StringComparison.OrdinalIgnoreCase); at >= 0;
                     at = withoutExtension.IndexOf(keyword, at + 1, StringComparison.OrdinalIgnoreCase))
                {
                    int end = at + keyword.Length;
                    if ((at == 0 || IsDelimiter(withoutExtension[at - 1])) && (end == withoutExtension.Length || IsDelimiter(withoutExtension[end]))) return split;
                }
            }
        }
        return null;
    }

    /// <summary>
    /// The configuration a file belongs to: its first folder (openai/gsm8k's main/ and socratic/), unless that folder
    /// is data/ or names a split; empty for top-level files.
    /// </summary>
    private static string Configuration(string relativePath)
    {
        int slash = relativePath.IndexOf('/');
        if (slash < 0) return "";
        string folder = relativePath[..slash];
        return folder.Equals("data", StringComparison.OrdinalIgnoreCase) || SplitOf(folder + ".x") is not null ? "" : folder;
    }

    /// <summary>The split's name as file names write it.</summary>
    public static string Name(DataSplit split) => Keywords[split][0];

    /// <summary>
    /// The folder whose files are the dataset: a hub-cache folder's snapshot (<c>datasets--*</c> with a
    /// <c>snapshots</c> folder, optionally named with <c>@revision</c>), else the folder itself.
    /// </summary>
    public static string DatasetRoot(string path)
    {
        var (folder, revision) = HubCacheFolder.SplitRevision(path);
        bool hubCache = Path.GetFileName(folder).StartsWith("datasets--", StringComparison.Ordinal) && Directory.Exists(Path.Combine(folder, "snapshots"));
        if (!hubCache)
        {
            if (revision is null) return folder;
            throw new DataException($"{path}: a revision selects a snapshot of a hub-cache folder (datasets--org--name with refs/ and snapshots/); {folder} is a plain folder.");
        }
        try
        {
            return HubCacheFolder.Snapshot(folder, revision);
        }
        catch (InvalidDataException e)
        {
            throw new DataException(e.Message, e);
        }
    }

    private static bool IsDelimiter(char c) => c is '-' or '.' or '_' or ' ' or '/' || char.IsAsciiDigit(c);
}
