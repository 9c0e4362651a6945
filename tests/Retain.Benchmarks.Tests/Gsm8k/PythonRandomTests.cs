using Retain.Benchmarks.Gsm8k;

namespace Retain.Benchmarks.Tests.Gsm8k;

/// <summary>Vectors from CPython 3.11 (eval-protocols.md §1.2 and <c>python3 -c "import random; …"</c>).</summary>
public class PythonRandomTests
{
    [Fact]
    public void First_outputs_of_seed_1234_match_cpython()
    {
        var random = new PythonRandom(1234);
        new[] { random.GetRandBits(32), random.GetRandBits(32), random.GetRandBits(32) }
            .ShouldBe([4150886329u, 3342196574u, 1892932127u]);
    }

    [Fact]
    public void Output_after_a_state_regeneration_matches_cpython()
    {
        var random = new PythonRandom(0);
        uint last = 0;
        for (int i = 0; i < 700; i++) last = random.GetRandBits(32);
        last.ShouldBe(3579999110u);
    }

    [Fact]
    public void Set_method_samples_match_the_published_gsm8k_indices()
    {
        var draws = Gsm8kBenchmark.FewShotIndices(trainCount: 7473, docCount: 3, k: 5, seed: 1234);
        draws[0].ShouldBe([6374, 3610, 957, 61, 742]);
        draws[1].ShouldBe([7462, 6610, 4769, 286, 5501]);
        draws[2].ShouldBe([5677, 687, 806, 6279, 2905]);
    }

    [Fact]
    public void Pool_method_and_large_setsize_samples_match_cpython()
    {
        var random = new PythonRandom(7);
        random.Sample(10, 4).ShouldBe([5, 2, 6, 9]);
        random.Sample(50, 8).ShouldBe([3, 4, 34, 6, 23, 37, 49, 32]);
        random.Sample(21, 5).ShouldBe([6, 1, 2, 13, 17]);
    }

    [Fact]
    public void Seeds_wider_than_32_bits_use_two_key_words()
    {
        new PythonRandom((1L << 40) + 5).Sample(1000, 3).ShouldBe([516, 529, 275]);
    }
}
