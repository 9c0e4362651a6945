using Retain.Kernel.Models;

namespace Retain.Kernel.Inference;

/// <summary>One sequence to continue.</summary>
/// <param name="PromptIds">The prompt token ids (at least one).</param>
/// <param name="MaxNewTokens">Token budget.</param>
/// <param name="Sampling">How to pick tokens.</param>
/// <param name="EndIds">Ids that end the sequence (not included in the output).</param>
/// <param name="ShouldStop">Called with the tokens generated so far after each token; true ends the sequence (stop strings).</param>
public sealed record GenerationInput(IReadOnlyList<int> PromptIds, int MaxNewTokens, SamplingOptions Sampling, IReadOnlyCollection<int> EndIds,
    Func<IReadOnlyList<int>, bool>? ShouldStop = null);

/// <summary>Why a sequence ended.</summary>
public enum FinishReason
{
    /// <summary>The token budget was used up.</summary>
    Length,
    /// <summary>An end id was produced.</summary>
    EndOfSequence,
    /// <summary><see cref="GenerationInput.ShouldStop"/> said so.</summary>
    Stop,
    /// <summary>The model's context (or the cache) is full.</summary>
    ContextFull,
}

/// <summary>A finished sequence.</summary>
/// <param name="Tokens">Generated ids (end id excluded).</param>
/// <param name="Reason">Why it ended.</param>
public sealed record GenerationOutput(int[] Tokens, FinishReason Reason);

/// <summary>
/// Batched generation with a KV cache and continuous batching: up to <c>maxBatch</c> sequences decode together, one
/// token each per model call; a finished sequence's cache slot is refilled with the next prompt. Each sequence has its
/// own sampler stream, so results do not depend on batching.
/// </summary>
public sealed class Generator(TransformerModel model, int maxBatch = 8, int prefillTokenBudget = 2048)
{
    private sealed class Slot
    {
        public int Input = -1;
        public int Position;
        public int LastToken;
        public List<int> Tokens = [];
        public Sampler? Sampler;
        public HashSet<int>? Seen;
    }

    /// <summary>Generates a continuation of every input, in order.</summary>
    public IReadOnlyList<GenerationOutput> Generate(IReadOnlyList<GenerationInput> inputs, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var results = new GenerationOutput?[inputs.Count];
        if (inputs.Count == 0) return [];
        foreach (var input in inputs)
        {
            if (input.PromptIds.Count == 0) throw new ArgumentException("Every prompt needs at least one token (e.g. BOS).");
            if (input.PromptIds.Count >= model.MaxPositions) throw new ArgumentException($"A prompt of {input.PromptIds.Count} tokens does not fit the model's {model.MaxPositions} positions.");
            if (input.MaxNewTokens < 0) throw new ArgumentException("MaxNewTokens must be ≥ 0.");
        }
        int capacity = (int)Math.Min(model.MaxPositions, inputs.Max(i => (long)i.PromptIds.Count + Math.Max(1, i.MaxNewTokens)));
        int slotCount = Math.Min(Math.Max(1, maxBatch), inputs.Count);
        using var cache = new KvCache(model, slotCount, capacity);
        var slots = Enumerable.Range(0, slotCount).Select(_ => new Slot()).ToArray();
        int vocab = model.Config.VocabSize;
        var logits = new float[slotCount * vocab];
        int next = 0, done = 0;

        while (done < inputs.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Admit pending inputs into free slots and prefill them together (bounded by the token budget).
            var admitted = new List<int>();
            int budget = 0;
            for (int s = 0; s < slotCount && next < inputs.Count; s++)
            {
                if (slots[s].Input >= 0) continue;
                int length = inputs[next].PromptIds.Count;
                if (admitted.Count > 0 && budget + length > prefillTokenBudget) break;
                slots[s].Input = next++;
                admitted.Add(s);
                budget += length;
            }
            if (admitted.Count > 0)
            {
                Prefill(cache, slots, admitted, inputs, logits, vocab);
                for (int i = 0; i < admitted.Count; i++)
                {
                    if (Accept(slots[admitted[i]], inputs, logits.AsSpan(i * vocab, vocab), capacity, results)) done++;
                }
                progress?.Report(done);
                continue;
            }

            var active = slots.Select((s, i) => (s, i)).Where(x => x.s.Input >= 0).Select(x => x.i).ToArray();
            if (active.Length == 0) continue;
            var ids = active.Select(s => slots[s].LastToken).ToArray();
            var positions = active.Select(s => slots[s].Position).ToArray();
            var rows = Enumerable.Range(0, active.Length).ToArray();
            model.ForwardCached(cache, ids, positions, active, rows, logits.AsSpan(0, active.Length * vocab));
            int finished = 0;
            for (int i = 0; i < active.Length; i++)
            {
                slots[active[i]].Position++;
                if (Accept(slots[active[i]], inputs, logits.AsSpan(i * vocab, vocab), capacity, results)) finished++;
            }
            if (finished > 0)
            {
                done += finished;
                progress?.Report(done);
            }
        }
        return results.Select(r => r!).ToArray();
    }

    private void Prefill(KvCache cache, Slot[] slots, List<int> admitted, IReadOnlyList<GenerationInput> inputs, float[] logits, int vocab)
    {
        var ids = new List<int>();
        var positions = new List<int>();
        var slotIds = new List<int>();
        var logitRows = new int[admitted.Count];
        for (int i = 0; i < admitted.Count; i++)
        {
            var slot = slots[admitted[i]];
            var prompt = inputs[slot.Input].PromptIds;
            for (int t = 0; t < prompt.Count; t++)
            {
                ids.Add(prompt[t]);
                positions.Add(t);
                slotIds.Add(admitted[i]);
            }
            logitRows[i] = ids.Count - 1;
            slot.Position = prompt.Count;
            slot.Tokens = [];
            slot.Sampler = new Sampler(inputs[slot.Input].Sampling);
            slot.Seen = slot.Sampler.PenalizesRepetition ? [.. prompt] : null;
        }
        model.ForwardCached(cache, ids.ToArray(), positions.ToArray(), slotIds.ToArray(), logitRows, logits.AsSpan(0, admitted.Count * vocab));
    }

    /// <summary>Samples from the logits and records the token; returns true when the sequence ended (slot freed).</summary>
    private static bool Accept(Slot slot, IReadOnlyList<GenerationInput> inputs, Span<float> logits, int capacity, GenerationOutput?[] results)
    {
        var input = inputs[slot.Input];
        FinishReason? reason = null;
        if (input.MaxNewTokens == 0)
        {
            reason = FinishReason.Length;
        }
        else
        {
            if (slot.Seen is not null) slot.Sampler!.Penalize(logits, slot.Seen);
            int token = slot.Sampler!.Next(logits);
            slot.Seen?.Add(token);
            if (input.EndIds.Contains(token))
            {
                reason = FinishReason.EndOfSequence;
            }
            else
            {
                slot.Tokens.Add(token);
                slot.LastToken = token;
                if (input.ShouldStop?.Invoke(slot.Tokens) == true) reason = FinishReason.Stop;
                else if (slot.Tokens.Count >= input.MaxNewTokens) reason = FinishReason.Length;
                else if (slot.Position >= capacity) reason = FinishReason.ContextFull;
            }
        }
        if (reason is null) return false;
        results[slot.Input] = new GenerationOutput(slot.Tokens.ToArray(), reason.Value);
        slot.Input = -1;
        return true;
    }
}
