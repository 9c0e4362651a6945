using Retain.Kernel.Models;
using Retain.Kernel.Tests.Training;

namespace Retain.Kernel.Tests.Models;

public sealed class ModelSourceTests : IDisposable
{
    private const string Main = "0123456789abcdef0123456789abcdef01234567";
    private const string Other = "fedcba9876543210fedcba9876543210fedcba98";
    private readonly string _dir = Directory.CreateTempSubdirectory("retain-hub").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A hub-cache folder as huggingface_hub writes it: files in blobs/, snapshots of symbolic links to them, refs naming commits.</summary>
    private string HubFolder(params (string Commit, string Source)[] snapshots)
    {
        string repository = Path.Combine(_dir, "models--retain--tiny");
        Directory.CreateDirectory(Path.Combine(repository, "blobs"));
        foreach (var (commit, source) in snapshots)
        {
            string snapshot = Path.Combine(repository, "snapshots", commit);
            Directory.CreateDirectory(snapshot);
            foreach (var file in Directory.GetFiles(source))
            {
                string blob = Path.Combine(repository, "blobs", Guid.NewGuid().ToString("N"));
                File.Copy(file, blob);
                File.CreateSymbolicLink(Path.Combine(snapshot, Path.GetFileName(file)), Path.Combine("..", "..", "blobs", Path.GetFileName(blob)));
            }
        }
        return repository;
    }

    private static void WriteRef(string repository, string name, string commit)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(repository, "refs", name))!);
        File.WriteAllText(Path.Combine(repository, "refs", name), commit);
    }

    [Fact]
    public void A_hub_cache_folder_resolves_to_the_snapshot_refs_main_names_or_the_revision_asked_for()
    {
        string repository = HubFolder((Main, TrainingTestData.Fixture("llama3")), (Other, TrainingTestData.Fixture("qwen2")));
        WriteRef(repository, "main", Main + "\n");
        WriteRef(repository, "v1", Other);
        Directory.SetLastWriteTimeUtc(Path.Combine(repository, "snapshots", Other), DateTime.UtcNow.AddHours(1));

        ModelSource.Resolve(repository).ShouldBe(Path.Combine(repository, "snapshots", Main), "refs/main wins over the newer snapshot");
        ModelSource.Resolve(repository + "@v1").ShouldBe(Path.Combine(repository, "snapshots", Other));
        ModelSource.Resolve(repository + "@" + Other).ShouldBe(Path.Combine(repository, "snapshots", Other));
        ModelSource.Resolve(Path.Combine(repository, "snapshots", Main)).ShouldBe(Path.Combine(repository, "snapshots", Main), "a snapshot folder is a plain folder");

        var e = Should.Throw<ModelFormatException>(() => ModelSource.Resolve(repository + "@v2"));
        e.Message.ShouldContain("revision 'v2' is neither a ref nor a snapshot");
        e.Message.ShouldContain($"refs: main, v1; snapshots: {Main}, {Other}");

        File.Delete(Path.Combine(repository, "refs", "main"));
        ModelSource.Resolve(repository).ShouldBe(Path.Combine(repository, "snapshots", Other), "without refs/main, the newest snapshot");

        WriteRef(repository, "main", "1111111111111111111111111111111111111111");
        Should.Throw<ModelFormatException>(() => ModelSource.Resolve(repository)).Message
            .ShouldContain("refs/main names commit 1111111111111111111111111111111111111111, but snapshots/1111111111111111111111111111111111111111 does not exist");

        string plain = ModelFolders.Copy(TrainingTestData.Fixture("llama3"), Path.Combine(_dir, "plain"));
        Should.Throw<ModelFormatException>(() => ModelSource.Resolve(plain + "@main")).Message.ShouldContain("is a plain model folder");
        Should.Throw<ModelFormatException>(() => ModelSource.Resolve(Path.Combine(_dir, "missing"))).Message.ShouldBe($"directory not found: {Path.Combine(_dir, "missing")}");
    }

    [Fact]
    public void A_model_loads_from_a_hub_cache_folder_of_symbolic_links_like_its_plain_folder()
    {
        string repository = HubFolder((Main, TrainingTestData.Fixture("llama3")));
        WriteRef(repository, "main", Main);
        using var backend = TrainingTestData.Backend();
        using var fromHub = Checkpoint.Load(repository, backend);
        using var plain = Checkpoint.Load(TrainingTestData.Fixture("llama3"), backend);
        TrainingTestData.AllValues(fromHub).ShouldBe(TrainingTestData.AllValues(plain));
    }

    [Fact]
    public void A_snapshot_whose_config_links_to_a_missing_blob_is_named_as_incomplete()
    {
        string repository = HubFolder((Main, TrainingTestData.Fixture("llama3")));
        var link = new FileInfo(Path.Combine(repository, "snapshots", Main, "config.json"));
        File.Delete(Path.Combine(repository, "snapshots", Main, link.LinkTarget!));
        var e = Should.Throw<ModelFormatException>(() => ModelSource.Resolve(repository));
        e.Message.ShouldContain($"snapshots/{Main}: the snapshot is not a complete model: config.json cannot be read: it links to");
        e.Message.ShouldContain("which is missing (an interrupted download?)");
    }
}
