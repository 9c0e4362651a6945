using Retain.Data;
using Retain.Hosting.Configuration;
using Retain.Testing;

namespace Retain.Hosting.Tests.Configuration;

/// <summary>Data paths resolve against the roots, including hub-cache dataset folders named with a revision.</summary>
public class DataLocatorTests
{
    [Fact]
    public void A_hub_cache_folder_with_a_revision_resolves_against_the_roots_and_a_missing_one_names_where_it_looked()
    {
        using var temp = new TempFolder();
        var hub = Path.Combine(temp.Path, "datasets--org--name");
        Directory.CreateDirectory(Path.Combine(hub, "snapshots", "abc123"));
        var locator = new DataLocator([temp.Path]);

        locator.Resolve("datasets--org--name@abc123").ShouldBe(hub + "@abc123");
        locator.Resolve(hub + "@pr/1").ShouldBe(hub + "@pr/1", "the dataset reader, not the locator, checks the revision");
        locator.TryResolve("datasets--org--other@abc123").ShouldBeNull();
        Should.Throw<DataException>(() => locator.Resolve("missing.jsonl")).Message.ShouldContain(Path.Combine(temp.Path, "missing.jsonl"));
    }
}
