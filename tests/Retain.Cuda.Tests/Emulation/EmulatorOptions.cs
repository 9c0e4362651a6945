using System.Globalization;
using System.Security.Cryptography;

namespace Retain.Cuda.Tests.Emulation;

/// <summary>The order in which the emulator runs the threads of a block within each barrier interval.</summary>
internal enum EmulatorSchedule
{
    /// <summary>Thread 0 first.</summary>
    Forward,
    /// <summary>The last thread first.</summary>
    Reverse,
    /// <summary>Warps last to first, the lanes of each warp in order.</summary>
    WarpsReversed,
    /// <summary>A permutation drawn from the launch's seed, anew for every barrier interval.</summary>
    Random,
}

/// <summary>The order in which the emulator runs the blocks of a grid.</summary>
internal enum EmulatorBlockOrder
{
    /// <summary>x fastest, then y, then z.</summary>
    Grid,
    /// <summary>A permutation drawn from the launch's seed.</summary>
    Shuffled,
    /// <summary>Shuffled, and kernels without barriers run the threads of eight blocks at a time in one shuffled sequence.</summary>
    Interleaved,
}

/// <summary>One way of running a launch: a thread schedule and a block order.</summary>
internal readonly record struct EmulatorRun(EmulatorSchedule Schedule, EmulatorBlockOrder Blocks)
{
    /// <inheritdoc />
    public override string ToString() => $"{Schedule} threads, {Blocks} blocks";
}

/// <summary>How the emulated backend runs its launches.</summary>
internal sealed record EmulatorOptions
{
    /// <summary>Environment variable that fixes <see cref="Seed"/> (decimal or 0x-hex) to replay a failure.</summary>
    public const string SeedVariable = "RETAIN_EMULATOR_SEED";

    /// <summary>The process's seed: <see cref="SeedVariable"/>, else drawn at random (every failure message names it).</summary>
    public static ulong ProcessSeed { get; } = ReadSeed();

    /// <summary>How every launch runs first.</summary>
    public EmulatorRun Run { get; init; } = new(EmulatorSchedule.Random, EmulatorBlockOrder.Interleaved);

    /// <summary>
    /// Further runs of every launch from the same inputs (device memory restored first); each must leave every byte of
    /// the launch's buffers equal to the first run's. Retain's kernels are deterministic by design, so any difference
    /// is an order dependence.
    /// </summary>
    public IReadOnlyList<EmulatorRun> CompareWith { get; init; } = [];

    /// <summary>Whether the shared-memory checker fails races and reads of uninitialised shared memory.</summary>
    public bool CheckSharedMemory { get; init; } = true;

    /// <summary>Seeds the random schedules and block orders (each launch mixes in its number).</summary>
    public ulong Seed { get; init; } = ProcessSeed;

    /// <summary>The default runs compared with each other: one launch under all four thread schedules.</summary>
    public static EmulatorOptions EverySchedule { get; } = new()
    {
        Run = new(EmulatorSchedule.Forward, EmulatorBlockOrder.Grid),
        CompareWith =
        [
            new(EmulatorSchedule.Reverse, EmulatorBlockOrder.Shuffled),
            new(EmulatorSchedule.WarpsReversed, EmulatorBlockOrder.Interleaved),
            new(EmulatorSchedule.Random, EmulatorBlockOrder.Interleaved),
        ],
    };

    private static ulong ReadSeed()
    {
        string? text = Environment.GetEnvironmentVariable(SeedVariable);
        if (string.IsNullOrWhiteSpace(text)) return BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        text = text.Trim();
        bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        return ulong.TryParse(hex ? text[2..] : text, hex ? NumberStyles.HexNumber : NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed)
            ? seed
            : throw new InvalidOperationException($"{SeedVariable}='{text}' is not a seed (a decimal or 0x-hex 64-bit number).");
    }
}
