using Retain.Strategies.Dft;
using Retain.Strategies.Kl;
using Retain.Strategies.Standard;
using Retain.Strategies.Talr;

namespace Retain.Strategies.Tests;

public class TokenObjectiveTests
{
    // Three sequences: mean NLLs 0.8667, 3.5, 0.2 → batch-median τ = 0.8667. Expected values computed by hand
    // (python: w = max(exp(-l/τ), 0.01); loss = w·l/6; coefficient = w/6).
    private static readonly float[][] Sequences = [[0.1f, 2.0f, 0.5f], [3.0f, 4.0f], [0.2f]];

    [Fact]
    public void Talr_uses_the_batch_median_of_sequence_means_the_floor_and_one_over_N()
    {
        var (loss, coefficient, metrics) = Batches.Run(new TalrObjective(new TalrOptions()), Batches.Of(6, Sequences));

        metrics.Values["tau"].ShouldBe(0.8666667, 1e-6);
        coefficient.ShouldBe([0.14850390f, 0.01658176f, 0.09360396f, 0.00523024f, 0.00166667f, 0.13232044f], 1e-7f);
        loss.ShouldBe([0.01485039f, 0.03316353f, 0.04680198f, 0.01569072f, 0.00666667f, 0.02646409f], 1e-7f);
        loss.Sum().ShouldBe(0.1436374f, 1e-6f);
        metrics.Values["floored_fraction"].ShouldBe(1.0 / 6, 1e-12); // NLL 4.0: exp(-4/0.867) = 0.0099 < 0.01
        metrics.Values["weight_min"].ShouldBe(0.01, 1e-12);
    }

    [Fact]
    public void Talr_takes_the_lower_median_for_an_even_number_of_sequences_and_honours_a_fixed_tau()
    {
        // Sequence means 1 and 3: torch.median gives 1 (not 2).
        var (_, coefficient, metrics) = Batches.Run(new TalrObjective(new TalrOptions { WMin = 0 }), Batches.Of(2, [1f], [3f]));
        metrics.Values["tau"].ShouldBe(1.0);
        coefficient.ShouldBe([(float)(Math.Exp(-1) / 2), (float)(Math.Exp(-3) / 2)], 1e-7f);

        var (_, fixedTau, fixedMetrics) = Batches.Run(new TalrObjective(new TalrOptions { Tau = "0.5", WMin = 0 }), Batches.Of(2, [1f], [3f]));
        fixedMetrics.Values["tau"].ShouldBe(0.5);
        fixedTau.ShouldBe([(float)(Math.Exp(-2) / 2), (float)(Math.Exp(-6) / 2)], 1e-8f);
    }

    [Fact]
    public void Talr_options_refuse_a_bad_temperature()
    {
        var results = new TalrOptions { Tau = "hot" }.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object())).ToList();
        results.ShouldHaveSingleItem().ErrorMessage.ShouldBe("'hot' is not a temperature: use 'batch-median' or a positive number.");
    }

    [Fact]
    public void Standard_is_the_mean_nll()
    {
        var (loss, coefficient, _) = Batches.Run(new StandardObjective(), Batches.Of(4, [1f, 2f], [3f, 6f]));
        loss.Sum().ShouldBe(3f);
        coefficient.ShouldAllBe(c => c == 0.25f);
    }

    [Fact]
    public void Dft_weights_each_token_by_its_probability()
    {
        var (loss, coefficient, metrics) = Batches.Run(new DftObjective(), Batches.Of(2, [0f, (float)Math.Log(4)]));
        coefficient.ShouldBe([0.5f, 0.125f], 1e-7f);          // p = 1 and 1/4, over N = 2
        loss.ShouldBe([0f, (float)(0.25 * Math.Log(4) / 2)], 1e-7f);
        metrics.Values["probability_mean"].ShouldBe(0.625, 1e-7);
    }

    [Fact]
    public void Kl_adds_beta_k3_and_its_derivative_with_respect_to_the_nll()
    {
        // ℓ = 1.0, ℓ_ref = 0.5 → d = 0.5: k3 = e^0.5 − 1.5 = 0.148721; ∂k3/∂ℓ = e^0.5 − 1 = 0.648721.
        // ℓ = ℓ_ref → k3 = 0 and derivative 0.
        var batch = Batches.Of(2, [[0.5f, 2f]], [[1f, 2f]]);
        var (loss, coefficient, _) = Batches.Run(new KlObjective(new KlOptions { Beta = 0.2 }), batch);

        loss.ShouldBe([0.2f * 0.148721f / 2, 0f], 1e-7f);
        coefficient.ShouldBe([0.2f * 0.648721f / 2, 0f], 1e-7f);

        // The coefficient is the derivative of the loss: check against a central finite difference.
        const double h = 1e-4;
        double K(double l) => 0.1 * (Math.Exp(l - 0.5) - (l - 0.5) - 1);
        ((K(1 + h) - K(1 - h)) / (2 * h)).ShouldBe(coefficient[0], 1e-6);
        new KlObjective(new KlOptions()).Needs.ShouldBe(Retain.Training.TokenObjectiveNeeds.ReferenceNll);
        new KlObjective(new KlOptions()).IsPrimary.ShouldBeFalse();
    }

    [Fact]
    public void Objectives_compose_by_adding_their_terms()
    {
        var batch = Batches.Of(2, [[0.5f, 2f]], [[1f, 2f]]);
        var loss = new float[2];
        var coefficient = new float[2];
        new StandardObjective().Accumulate(batch, loss, coefficient, new RecordingSink());
        new KlObjective(new KlOptions { Beta = 0.2 }).Accumulate(batch, loss, coefficient, new RecordingSink());
        coefficient.ShouldBe([0.5f + 0.2f * 0.648721f / 2, 0.5f], 1e-7f);
        loss.ShouldBe([0.5f + 0.2f * 0.148721f / 2, 1f], 1e-7f);
    }
}
