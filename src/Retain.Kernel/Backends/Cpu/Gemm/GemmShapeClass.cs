namespace Retain.Kernel.Backends.Cpu.Gemm;

/// <summary>
/// The shape classes the GEMM choice is made for: vector-shaped products (m ≤ <see cref="ManagedGemm.SmallM"/>, as in
/// decoding), then bands of FLOPs (2·m·n·k) four times apart. Each class has a representative linear-layer shape
/// (C = A·Bᵀ, the forward product). A <em>route</em> is a class together with one of the three operand layouts the
/// linear and attention ops issue (A·Bᵀ forward, A·B input gradient, Aᵀ·B weight gradient): the choice is made per
/// route, because an implementation's packing makes its rate depend on the layout as well as the size.
/// </summary>
internal static class GemmShapeClass
{
    /// <summary>Lower FLOP bounds of the classes after the vector class.</summary>
    public static readonly double[] MinimumFlops = [0, 1e6, 4e6, 16e6, 64e6, 256e6];

    /// <summary>Floats in the largest operand of any representative shape.</summary>
    public static long MaxElements => Enumerable.Range(0, Count).Max(c =>
    {
        var (m, n, k) = Representative(c);
        return Math.Max((long)m * n, Math.Max((long)m * k, (long)n * k));
    });

    /// <summary>Number of classes (vector class included).</summary>
    public static int Count => MinimumFlops.Length + 1;

    /// <summary>The class of an m × n × k product.</summary>
    public static int Of(int m, int n, int k)
    {
        if (m <= ManagedGemm.SmallM) return 0;
        double flops = 2.0 * m * n * k;
        int band = MinimumFlops.Length - 1;
        while (band > 0 && flops < MinimumFlops[band]) band--;
        return band + 1;
    }

    /// <summary>Operand layouts a route distinguishes: 0 = A·Bᵀ, 1 = A·B, 2 = Aᵀ·B (Aᵀ·Bᵀ, which no op issues, joins 2).</summary>
    public const int Layouts = 3;

    /// <summary>Number of routes: every class in every layout.</summary>
    public static int RouteCount => Count * Layouts;

    /// <summary>The layout index of a product's transposition flags.</summary>
    public static int LayoutOf(bool transposeA, bool transposeB) => transposeA ? 2 : transposeB ? 0 : 1;

    /// <summary>The route of a product: its class and its layout.</summary>
    public static int RouteOf(bool transposeA, bool transposeB, int m, int n, int k) => Of(m, n, k) * Layouts + LayoutOf(transposeA, transposeB);

    /// <summary>The class of a route.</summary>
    public static int ClassOfRoute(int route) => route / Layouts;

    /// <summary>The layout of a route in words (<c>A·Bᵀ</c>, <c>A·B</c>, <c>Aᵀ·B</c>).</summary>
    public static string DescribeLayout(int route) => (route % Layouts) switch { 0 => "A·Bᵀ", 1 => "A·B", _ => "Aᵀ·B" };

    /// <summary>
    /// The product timed for a route: the three GEMMs a linear layer of the class's representative shape issues —
    /// forward m × n × k (A·Bᵀ), input gradient m × k × n (A·B), weight gradient n × k × m (Aᵀ·B). The vector class keeps
    /// m = 1 in every layout (decoding: a projection, then attention's scores·values).
    /// </summary>
    public static (bool TransposeA, bool TransposeB, int M, int N, int K) RepresentativeOfRoute(int route)
    {
        var (m, n, k) = Representative(ClassOfRoute(route));
        return (route % Layouts) switch
        {
            0 => (false, true, m, n, k),
            1 => (false, false, m, k, n),
            _ when m <= ManagedGemm.SmallM => (true, false, m, n, k),
            _ => (true, false, n, k, m),
        };
    }

    /// <summary>The forward shape timed for a class: m × n × k, C = A·Bᵀ.</summary>
    public static (int M, int N, int K) Representative(int shapeClass) => shapeClass switch
    {
        0 => (1, 2048, 768),    // one decoding token through a 768 → 2,048 projection
        1 => (64, 64, 64),      // 0.5 MFLOP: stories260K-sized per-head attention
        2 => (256, 64, 64),     // 2.1 MFLOP: stories260K projections
        3 => (256, 128, 128),   // 8.4 MFLOP
        4 => (256, 384, 256),   // 50 MFLOP
        5 => (256, 768, 384),   // 151 MFLOP: a 20M-model projection
        6 => (256, 2304, 768),  // 906 MFLOP: GPT-2's fused q/k/v projection over 256 tokens (512×1024×768 underrated the
                                // managed GEMM on every GPT-2 product: 173–208 GFLOP/s there, 310–390 on the step's shapes)
        _ => throw new ArgumentOutOfRangeException(nameof(shapeClass)),
    };

    /// <summary>A readable name (<c>m≤4</c>, <c>&lt;1 MFLOP</c>, <c>1–4 MFLOP</c>, ..., <c>≥256 MFLOP</c>).</summary>
    public static string Describe(int shapeClass)
    {
        if (shapeClass == 0) return $"m≤{ManagedGemm.SmallM}";
        int band = shapeClass - 1;
        static string M(double f) => $"{f / 1e6:0}";
        if (band == 0) return $"<{M(MinimumFlops[1])} MFLOP";
        if (band == MinimumFlops.Length - 1) return $"≥{M(MinimumFlops[band])} MFLOP";
        return $"{M(MinimumFlops[band])}–{M(MinimumFlops[band + 1])} MFLOP";
    }
}
