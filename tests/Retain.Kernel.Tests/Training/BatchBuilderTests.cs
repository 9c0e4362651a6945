using Retain.Kernel.Models;
using Retain.Kernel.Training;
using static Retain.Kernel.Tests.Reference.Numerics;

namespace Retain.Kernel.Tests.Training;

public sealed class BatchBuilderTests
{
    [Fact]
    public void Padding_puts_one_sequence_per_row_and_scores_supervised_next_tokens()
    {
        var a = new TrainingSequence([1, 5, 6, 7], [false, false, true, true], 10);
        var b = new TrainingSequence([1, 8, 9], [false, true, true], 11);
        var batch = BatchBuilder.Pad([a, b], padId: 0);
        batch.Inputs.Rows.ShouldBe(2);
        batch.Inputs.Length.ShouldBe(4);
        batch.Inputs.Ids.ShouldBe([1, 5, 6, 7, 1, 8, 9, 0]);
        batch.Inputs.ScoredTokens.ShouldBe([1, 2, 4, 5]);
        batch.Inputs.Targets.ShouldBe([6, 7, 8, 9]);
        batch.TokenSequence.ShouldBe([0, 0, 1, 1]);
        batch.TokenPosition.ShouldBe([0, 1, 0, 1]);
        batch.TokenExample.ShouldBe([10, 10, 11, 11]);
        batch.Inputs.DocumentStart.ShouldBe([0, 0, 0, 0, 0, 0, 0, 3]);
    }

    [Fact]
    public void Packing_fills_rows_in_order_and_restarts_positions_per_sequence()
    {
        var seqs = TrainingTestData.Sequences(5, 50, 3, 4, 6);
        var batches = BatchBuilder.Pack(seqs, rowLength: 12, rowsPerBatch: 2);
        int seen = 0;
        foreach (var batch in batches)
        {
            for (int r = 0; r < batch.Inputs.Rows; r++)
            {
                for (int t = 0; t < batch.Inputs.Length; t++)
                {
                    int i = r * batch.Inputs.Length + t;
                    batch.Inputs.Positions[i].ShouldBe(t - batch.Inputs.DocumentStart[i]);
                }
            }
            seen += batch.SequenceCount;
        }
        seen.ShouldBe(5);
        batches.SelectMany(b => b.SequenceExample).ShouldBe([0, 1, 2, 3, 4]);
        Should.Throw<ArgumentException>(() => BatchBuilder.Pack(seqs, rowLength: 3, rowsPerBatch: 1)).Message.ShouldContain("Example");
    }

    [Fact]
    public void Packed_and_padded_batches_give_the_same_per_token_nll()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        var seqs = TrainingTestData.Sequences(6, model.Config.VocabSize, 5);
        var padded = BatchBuilder.Pad(seqs);
        var packed = BatchBuilder.Pack(seqs, rowLength: 64, rowsPerBatch: 8).Single();
        packed.Inputs.Rows.ShouldBeLessThan(padded.Inputs.Rows);

        float[] Nll(TrainingBatch batch)
        {
            model.Forward(batch.Inputs, training: false);
            var nll = new float[batch.ScoredCount];
            model.ReadNll(nll);
            return nll;
        }
        var a = Nll(padded);
        var b = Nll(packed);
        packed.TokenExample.ShouldBe(padded.TokenExample);
        RelativeError(b, ToDouble(a)).ShouldBeLessThan(1e-5);
    }
}
