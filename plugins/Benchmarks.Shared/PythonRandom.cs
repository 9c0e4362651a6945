namespace Retain.Benchmarks;

/// <summary>
/// CPython 3.11's <c>random.Random</c> (MT19937 seeded through <c>init_by_array</c>), as far as the reference code
/// uses it: <c>getrandbits(b ≤ 32)</c>, <c>_randbelow</c>, <c>sample</c> and <c>choice</c> (lm-eval's few-shot sampler,
/// eval-protocols.md §1.2), <c>random()</c> and <c>gauss()</c> (langdetect). Bit-exact, so that few-shot prompts and
/// language verdicts match the reference's.
/// </summary>
internal sealed class PythonRandom
{
    private const int N = 624;
    private const int M = 397;
    private readonly uint[] _mt = new uint[N];
    private int _index;
    private double? _gaussNext;

    /// <summary>Seeds like <c>random.Random(seed)</c> for an integer seed.</summary>
    public PythonRandom(long seed)
    {
        ulong magnitude = seed < 0 ? (ulong)(-(seed + 1)) + 1 : (ulong)seed;
        var key = new List<uint> { (uint)magnitude };
        if (magnitude >> 32 != 0) key.Add((uint)(magnitude >> 32));
        InitByArray(key);
    }

    private void InitByArray(IReadOnlyList<uint> key)
    {
        _mt[0] = 19650218u;
        for (int k = 1; k < N; k++) _mt[k] = 1812433253u * (_mt[k - 1] ^ (_mt[k - 1] >> 30)) + (uint)k;
        int i = 1, j = 0;
        for (int k = Math.Max(N, key.Count); k > 0; k--)
        {
            _mt[i] = (_mt[i] ^ ((_mt[i - 1] ^ (_mt[i - 1] >> 30)) * 1664525u)) + key[j] + (uint)j;
            i++;
            j++;
            if (i >= N) { _mt[0] = _mt[N - 1]; i = 1; }
            if (j >= key.Count) j = 0;
        }
        for (int k = N - 1; k > 0; k--)
        {
            _mt[i] = (_mt[i] ^ ((_mt[i - 1] ^ (_mt[i - 1] >> 30)) * 1566083941u)) - (uint)i;
            i++;
            if (i >= N) { _mt[0] = _mt[N - 1]; i = 1; }
        }
        _mt[0] = 0x80000000u;
        _index = N;
    }

    /// <summary>One tempered 32-bit output (<c>genrand_uint32</c>).</summary>
    public uint NextUInt32()
    {
        if (_index >= N) Twist();
        uint y = _mt[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680u;
        y ^= (y << 15) & 0xEFC60000u;
        y ^= y >> 18;
        return y;
    }

    private void Twist()
    {
        for (int kk = 0; kk < N; kk++)
        {
            uint y = (_mt[kk] & 0x80000000u) | (_mt[(kk + 1) % N] & 0x7FFFFFFFu);
            _mt[kk] = _mt[(kk + M) % N] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908B0DFu : 0u);
        }
        _index = 0;
    }

    /// <summary><c>getrandbits(bits)</c> for 1 ≤ bits ≤ 32: the top <paramref name="bits"/> bits of one output.</summary>
    public uint GetRandBits(int bits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 32);
        return NextUInt32() >> (32 - bits);
    }

    /// <summary><c>_randbelow(n)</c>: rejection sampling with the bit length of <paramref name="n"/> itself.</summary>
    public int RandBelow(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        int bits = 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)n);
        uint r = GetRandBits(bits);
        while (r >= (uint)n) r = GetRandBits(bits);
        return (int)r;
    }

    /// <summary>
    /// <c>sample(range(n), k)</c>: indices into a population of size <paramref name="n"/>, in draw order, by the
    /// pool method for small populations and the set method otherwise, exactly as CPython chooses.
    /// </summary>
    public int[] Sample(int n, int k)
    {
        if (k < 0 || k > n) throw new ArgumentOutOfRangeException(nameof(k), $"Sample larger than population or is negative (k={k}, n={n}).");
        var result = new int[k];
        int setSize = 21;
        if (k > 5) setSize += (int)Math.Pow(4, Math.Ceiling(Math.Log(k * 3) / Math.Log(4)));
        if (n <= setSize)
        {
            var pool = Enumerable.Range(0, n).ToArray();
            for (int i = 0; i < k; i++)
            {
                int j = RandBelow(n - i);
                result[i] = pool[j];
                pool[j] = pool[n - i - 1];
            }
        }
        else
        {
            var selected = new HashSet<int>();
            for (int i = 0; i < k; i++)
            {
                int j = RandBelow(n);
                while (selected.Contains(j)) j = RandBelow(n);
                selected.Add(j);
                result[i] = j;
            }
        }
        return result;
    }

    /// <summary><c>random()</c>: 53 random bits from two outputs, in [0, 1).</summary>
    public double NextDouble()
    {
        uint a = NextUInt32() >> 5, b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
    }

    /// <summary>
    /// <c>gauss(0.0, 1.0)</c>: CPython's Box-Muller pair, the second value kept for the next call (a fresh generator
    /// starts without one, as <c>seed()</c> leaves it).
    /// </summary>
    public double Gauss()
    {
        if (_gaussNext is { } z)
        {
            _gaussNext = null;
            return z;
        }
        double x2pi = NextDouble() * (2.0 * Math.PI);
        double g2rad = Math.Sqrt(-2.0 * Math.Log(1.0 - NextDouble()));
        _gaussNext = Math.Sin(x2pi) * g2rad;
        return Math.Cos(x2pi) * g2rad;
    }
}
