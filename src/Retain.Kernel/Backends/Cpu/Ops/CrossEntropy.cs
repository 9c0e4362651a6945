using System.Numerics.Tensors;

namespace Retain.Kernel.Backends.Cpu.Ops;

/// <summary>
/// Softmax cross-entropy over LM-head logits with per-row coefficients (llm.c's fused classifier): the forward saves
/// logsumexp, the backward overwrites the logits with dlogits = c · (softmax − onehot) in one pass, without a probability buffer.
/// </summary>
internal static unsafe class CrossEntropy
{
    private struct Args
    {
        public float* Nll, Lse, Logits, Coefficients;
        public int* Targets, IsArgmax;
        public int Vocab;
        public Partition Part;
    }

    public static void Forward(CpuWorkers workers, float* nll, float* lse, int* isArgmax, float* logits, int* targets, int rows, int vocab)
    {
        CheckTargets(targets, rows, vocab);
        var a = new Args { Nll = nll, Lse = lse, IsArgmax = isArgmax, Logits = logits, Targets = targets, Vocab = vocab, Part = new Partition(rows, vocab * 3) };
        workers.Run(a.Part.Chunks, &ForwardBody, &a);
    }

    private static void CheckTargets(int* targets, int rows, int vocab)
    {
        for (int i = 0; i < rows; i++)
        {
            if ((uint)targets[i] >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(targets), $"Target {targets[i]} at row {i} is outside the vocabulary of {vocab}.");
        }
    }

    private static void ForwardBody(void* state, int chunk)
    {
        ref Args a = ref *(Args*)state;
        var (start, end) = a.Part.Range(chunk);
        int v = a.Vocab;
        for (long i = start; i < end; i++)
        {
            var row = new ReadOnlySpan<float>(a.Logits + i * v, v);
            // Max, not IndexOfMax (four times slower on a 50k row): the first maximum's index is only looked for when the
            // target's logit equals the maximum.
            float max = TensorPrimitives.Max(row);
            float logSumExp = max + MathF.Log(VectorMath.SumExpShifted(a.Logits + i * v, v, max, store: false));
            int target = a.Targets[i];
            a.Lse[i] = logSumExp;
            a.Nll[i] = logSumExp - row[target];
            if (a.IsArgmax is not null) a.IsArgmax[i] = row[target] == max && FirstMaxIndex(row, max) == target ? 1 : 0;
        }
    }

    private static int FirstMaxIndex(ReadOnlySpan<float> row, float max)
    {
        for (int j = 0; j < row.Length; j++)
        {
            if (row[j] == max) return j;
        }
        return -1;
    }

    public static void Backward(CpuWorkers workers, float* logits, float* lse, int* targets, float* coefficients, int rows, int vocab)
    {
        CheckTargets(targets, rows, vocab);
        var a = new Args { Logits = logits, Lse = lse, Targets = targets, Coefficients = coefficients, Vocab = vocab, Part = new Partition(rows, vocab * 3) };
        workers.Run(a.Part.Chunks, &BackwardBody, &a);
    }

    private static void BackwardBody(void* state, int chunk)
    {
        ref Args a = ref *(Args*)state;
        var (start, end) = a.Part.Range(chunk);
        int v = a.Vocab;
        for (long i = start; i < end; i++)
        {
            float* row = a.Logits + i * v;
            float c = a.Coefficients[i];
            VectorMath.ScaledExpShifted(row, v, a.Lse[i], c);
            row[a.Targets[i]] -= c;
        }
    }
}
