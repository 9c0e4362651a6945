namespace Retain.Kernel.Tests.Reference;

/// <summary>
/// Float64 reference implementations of every backend op, written for clarity (plain loops, no SIMD, no chunking).
/// The CPU kernels are compared against these, and these are checked against finite differences.
/// </summary>
internal static class ReferenceOps
{
    public static double[] EmbeddingForward(double[] table, int[] ids, int dim, double scale)
    {
        var y = new double[ids.Length * dim];
        for (int i = 0; i < ids.Length; i++)
            for (int j = 0; j < dim; j++) y[i * dim + j] = scale * table[ids[i] * dim + j];
        return y;
    }

    public static double[] EmbeddingBackward(double[] dy, int[] ids, int vocab, int dim, double scale)
    {
        var dt = new double[vocab * dim];
        for (int i = 0; i < ids.Length; i++)
            for (int j = 0; j < dim; j++) dt[ids[i] * dim + j] += scale * dy[i * dim + j];
        return dt;
    }

    public static (double[] Y, double[] Rstd) RmsNormForward(double[] x, double[] w, int rows, int dim, double eps, double offset)
    {
        var y = new double[rows * dim];
        var rstd = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double ss = 0;
            for (int j = 0; j < dim; j++) ss += x[i * dim + j] * x[i * dim + j];
            double r = 1 / Math.Sqrt(ss / dim + eps);
            rstd[i] = r;
            for (int j = 0; j < dim; j++) y[i * dim + j] = x[i * dim + j] * r * (offset + w[j]);
        }
        return (y, rstd);
    }

    public static (double[] Dx, double[] Dw) RmsNormBackward(double[] dy, double[] x, double[] w, int rows, int dim, double eps, double offset)
    {
        var (_, rstd) = RmsNormForward(x, w, rows, dim, eps, offset);
        var dx = new double[rows * dim];
        var dw = new double[dim];
        for (int i = 0; i < rows; i++)
        {
            double r = rstd[i], dot = 0;
            for (int j = 0; j < dim; j++) dot += dy[i * dim + j] * (offset + w[j]) * x[i * dim + j];
            for (int j = 0; j < dim; j++)
            {
                dx[i * dim + j] = r * dy[i * dim + j] * (offset + w[j]) - dot * r * r * r / dim * x[i * dim + j];
                dw[j] += dy[i * dim + j] * x[i * dim + j] * r;
            }
        }
        return (dx, dw);
    }

    public static double[] LinearForward(double[] x, double[] w, double[]? b, int rows, int inF, int outF)
    {
        var y = new double[rows * outF];
        for (int i = 0; i < rows; i++)
            for (int o = 0; o < outF; o++)
            {
                double s = b?[o] ?? 0;
                for (int k = 0; k < inF; k++) s += x[i * inF + k] * w[o * inF + k];
                y[i * outF + o] = s;
            }
        return y;
    }

    public static (double[] Dx, double[] Dw, double[] Db) LinearBackward(double[] dy, double[] x, double[] w, int rows, int inF, int outF)
    {
        var dx = new double[rows * inF];
        var dw = new double[outF * inF];
        var db = new double[outF];
        for (int i = 0; i < rows; i++)
            for (int o = 0; o < outF; o++)
            {
                double g = dy[i * outF + o];
                db[o] += g;
                for (int k = 0; k < inF; k++)
                {
                    dx[i * inF + k] += g * w[o * inF + k];
                    dw[o * inF + k] += g * x[i * inF + k];
                }
            }
        return (dx, dw, db);
    }

    public static double[] Matmul(bool ta, bool tb, int m, int n, int k, double[] a, double[] b)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = s;
            }
        return c;
    }

    /// <summary>Rotate-half RoPE with angles position·θ_i; inverse applies the opposite rotation.</summary>
    public static double[] Rope(double[] x, int[] positions, int heads, int headDim, double[] invFreq, bool inverse)
    {
        var y = (double[])x.Clone();
        int half = headDim / 2;
        for (int i = 0; i < positions.Length; i++)
            for (int h = 0; h < heads; h++)
            {
                int o = (i * heads + h) * headDim;
                for (int j = 0; j < half; j++)
                {
                    double angle = positions[i] * invFreq[j];
                    double c = Math.Cos(angle), s = inverse ? -Math.Sin(angle) : Math.Sin(angle);
                    double x1 = x[o + j], x2 = x[o + j + half];
                    y[o + j] = x1 * c - x2 * s;
                    y[o + j + half] = x2 * c + x1 * s;
                }
            }
        return y;
    }

    public static double[] AttentionForward(double[] q, double[] k, double[] v, int[] keyStart, int rows, int t, int heads, int kvHeads, int d, double scale)
    {
        var o = new double[rows * t * heads * d];
        int group = heads / kvHeads;
        for (int r = 0; r < rows; r++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < t; i++)
                {
                    var p = Softmax(q, k, keyStart, r, t, heads, kvHeads, d, scale, h, i);
                    for (int s = keyStart[r * t + i]; s <= i; s++)
                        for (int e = 0; e < d; e++) o[((r * t + i) * heads + h) * d + e] += p[s] * v[((r * t + s) * kvHeads + h / group) * d + e];
                }
        return o;
    }

    private static double[] Softmax(double[] q, double[] k, int[] keyStart, int r, int t, int heads, int kvHeads, int d, double scale, int h, int i)
    {
        int group = heads / kvHeads;
        var p = new double[t];
        double max = double.NegativeInfinity;
        for (int s = keyStart[r * t + i]; s <= i; s++)
        {
            double score = 0;
            for (int e = 0; e < d; e++) score += q[((r * t + i) * heads + h) * d + e] * k[((r * t + s) * kvHeads + h / group) * d + e];
            p[s] = score * scale;
            max = Math.Max(max, p[s]);
        }
        double sum = 0;
        for (int s = keyStart[r * t + i]; s <= i; s++) sum += p[s] = Math.Exp(p[s] - max);
        for (int s = keyStart[r * t + i]; s <= i; s++) p[s] /= sum;
        return p;
    }

    public static (double[] Dq, double[] Dk, double[] Dv) AttentionBackward(double[] dout, double[] q, double[] k, double[] v, int[] keyStart,
        int rows, int t, int heads, int kvHeads, int d, double scale)
    {
        var dq = new double[q.Length];
        var dk = new double[k.Length];
        var dv = new double[v.Length];
        int group = heads / kvHeads;
        for (int r = 0; r < rows; r++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < t; i++)
                {
                    var p = Softmax(q, k, keyStart, r, t, heads, kvHeads, d, scale, h, i);
                    int ks = keyStart[r * t + i];
                    var dp = new double[t];
                    double weighted = 0;
                    for (int s = ks; s <= i; s++)
                    {
                        for (int e = 0; e < d; e++)
                        {
                            double g = dout[((r * t + i) * heads + h) * d + e];
                            dp[s] += g * v[((r * t + s) * kvHeads + h / group) * d + e];
                            dv[((r * t + s) * kvHeads + h / group) * d + e] += p[s] * g;
                        }
                        weighted += p[s] * dp[s];
                    }
                    for (int s = ks; s <= i; s++)
                    {
                        double ds = p[s] * (dp[s] - weighted) * scale;
                        for (int e = 0; e < d; e++)
                        {
                            dq[((r * t + i) * heads + h) * d + e] += ds * k[((r * t + s) * kvHeads + h / group) * d + e];
                            dk[((r * t + s) * kvHeads + h / group) * d + e] += ds * q[((r * t + i) * heads + h) * d + e];
                        }
                    }
                }
        return (dq, dk, dv);
    }

    public static double Act(double g, bool gelu) => gelu
        ? 0.5 * g * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (g + 0.044715 * g * g * g)))
        : g / (1 + Math.Exp(-g));

    public static double[] GatedForward(double[] gate, double[] up, bool gelu) => gate.Select((g, i) => Act(g, gelu) * up[i]).ToArray();

    public static (double[] Dg, double[] Du) GatedBackward(double[] dy, double[] gate, double[] up, bool gelu)
    {
        var dg = new double[gate.Length];
        var du = new double[gate.Length];
        for (int i = 0; i < gate.Length; i++)
        {
            double g = gate[i];
            double dAct;
            if (gelu)
            {
                double c = Math.Sqrt(2 / Math.PI), th = Math.Tanh(c * (g + 0.044715 * g * g * g));
                dAct = 0.5 * (1 + th) + 0.5 * g * (1 - th * th) * c * (1 + 3 * 0.044715 * g * g);
            }
            else
            {
                double s = 1 / (1 + Math.Exp(-g));
                dAct = s * (1 + g * (1 - s));
            }
            du[i] = dy[i] * Act(g, gelu);
            dg[i] = dy[i] * up[i] * dAct;
        }
        return (dg, du);
    }

    public static double[] CrossEntropyNll(double[] logits, int[] targets, int vocab)
    {
        var nll = new double[targets.Length];
        for (int i = 0; i < targets.Length; i++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < vocab; j++) max = Math.Max(max, logits[i * vocab + j]);
            double sum = 0;
            for (int j = 0; j < vocab; j++) sum += Math.Exp(logits[i * vocab + j] - max);
            nll[i] = max + Math.Log(sum) - logits[i * vocab + targets[i]];
        }
        return nll;
    }

    /// <summary>d(Σ c_i·nll_i)/dlogits.</summary>
    public static double[] CrossEntropyBackward(double[] logits, int[] targets, double[] coefficients, int vocab)
    {
        var nll = CrossEntropyNll(logits, targets, vocab);
        var d = new double[logits.Length];
        for (int i = 0; i < targets.Length; i++)
        {
            double lse = nll[i] + logits[i * vocab + targets[i]];
            for (int j = 0; j < vocab; j++) d[i * vocab + j] = coefficients[i] * Math.Exp(logits[i * vocab + j] - lse);
            d[i * vocab + targets[i]] -= coefficients[i];
        }
        return d;
    }
}
