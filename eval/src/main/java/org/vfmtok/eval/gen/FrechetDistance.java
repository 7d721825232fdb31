package org.vfmtok.eval.gen;

import org.ejml.data.Complex_F64;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The Fréchet distance between two Gaussians, ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁Σ₂)^½, the quantity ADM's
 * {@code FIDStatistics.frechet_distance} computes with {@code scipy.linalg.sqrtm(sigma1.dot(sigma2))}.
 *
 * <p>Only the trace of the square root is needed, and Σ₁Σ₂ is similar to the symmetric positive semi-definite
 * A = Σ₁^½ Σ₂ Σ₁^½ (same eigenvalues), so tr (Σ₁Σ₂)^½ = Σᵢ √λᵢ(A). Both steps are symmetric eigen
 * decompositions (EJML), which stay real and stable for the singular covariances of small sample sets, where
 * scipy's general sqrtm of the non-symmetric product can return complex noise (ADM then keeps the real part;
 * tiny negative eigenvalues are clamped to 0 here, which is the same thing).
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    public static double compute(ActivationStatistics a, ActivationStatistics b) {
        int d = a.dim();
        if (b.dim() != d) {
            throw new IllegalArgumentException("FID: statistics of different dimensions, " + d + " and " + b.dim());
        }
        double diff = 0;
        for (int i = 0; i < d; i++) {
            double t = a.mu()[i] - b.mu()[i];
            diff += t * t;
        }
        double tr1 = 0, tr2 = 0;
        for (int i = 0; i < d; i++) {
            tr1 += a.sigma()[i * d + i];
            tr2 += b.sigma()[i * d + i];
        }
        return diff + tr1 + tr2 - 2 * traceSqrtProduct(a.sigma(), b.sigma(), d);
    }

    /** tr (S₁S₂)^½ for symmetric PSD S₁, S₂ (d x d row-major). */
    static double traceSqrtProduct(double[] s1, double[] s2, int d) {
        DMatrixRMaj root1 = symmetricSqrt(DMatrixRMaj.wrap(d, d, s1.clone()));
        DMatrixRMaj tmp = new DMatrixRMaj(d, d);
        DMatrixRMaj inner = new DMatrixRMaj(d, d);
        CommonOps_DDRM.mult(root1, DMatrixRMaj.wrap(d, d, s2.clone()), tmp);
        CommonOps_DDRM.mult(tmp, root1, inner);
        symmetrize(inner);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, false, true);
        if (!eig.decompose(inner)) throw new ArithmeticException("FID: the eigen decomposition of Σ₁^½ Σ₂ Σ₁^½ did not converge");
        double trace = 0;
        for (int i = 0; i < d; i++) {
            Complex_F64 v = eig.getEigenvalue(i);
            trace += Math.sqrt(Math.max(v.real, 0.0));
        }
        return trace;
    }

    /** S^½ = V diag(√max(λ, 0)) Vᵀ of a symmetric matrix (overwritten). */
    static DMatrixRMaj symmetricSqrt(DMatrixRMaj s) {
        int d = s.numRows;
        symmetrize(s);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eig.decompose(s)) throw new ArithmeticException("FID: the eigen decomposition of a covariance did not converge");
        DMatrixRMaj scaled = new DMatrixRMaj(d, d); // columns: v_i · λ_i^¼, so scaled · scaledᵀ = V √Λ Vᵀ
        for (int i = 0; i < d; i++) {
            double w = Math.sqrt(Math.sqrt(Math.max(eig.getEigenvalue(i).real, 0.0)));
            DMatrixRMaj v = eig.getEigenVector(i);
            for (int r = 0; r < d; r++) scaled.data[r * d + i] = v.data[r] * w;
        }
        DMatrixRMaj out = new DMatrixRMaj(d, d);
        CommonOps_DDRM.multTransB(scaled, scaled, out);
        return out;
    }

    /** (M + Mᵀ) / 2: removes the rounding asymmetry of products before a symmetric solver sees them. */
    private static void symmetrize(DMatrixRMaj m) {
        int d = m.numRows;
        for (int i = 0; i < d; i++) {
            for (int j = i + 1; j < d; j++) {
                double v = 0.5 * (m.data[i * d + j] + m.data[j * d + i]);
                m.data[i * d + j] = v;
                m.data[j * d + i] = v;
            }
        }
    }
}
