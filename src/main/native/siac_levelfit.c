/*
 * The level fit's objective (dev.siac.codec.LevelFit): mel_l1's log-mel L1 between the input and |t + g c| over a
 * window's final frames, for one gain g. The same arithmetic, in the same order, as LevelFit's Java objective (which
 * runs where this library is missing); only log10 may differ in the last place. Built into libsiacfft.so with
 * siac_fft.c (build.sh), without contraction into fused multiply-adds.
 */
#include <jni.h>
#include <math.h>
#include <stdlib.h>

/*
 * tt, cc, tc: bins x frames (bin-major) of |t|^2, |c|^2 and 2 Re(t c*); offsets (nMels + 1), bins and weights: each
 * band's bins and triangle weights; target: frames x nMels of log10(max(input band, floor)). Returns the sum over
 * frames and bands (in that order) of |log10(max(band of |t + g c|, floor)) - target|, or NaN when memory or the
 * arrays cannot be had.
 */
JNIEXPORT jdouble JNICALL Java_dev_siac_codec_LevelFit_nativeObjective(JNIEnv *env, jclass cls, jfloatArray jtt,
        jfloatArray jcc, jfloatArray jtc, jint frames, jint bins, jdouble g, jintArray joffsets, jintArray jbins,
        jfloatArray jweights, jfloatArray jtarget, jint nMels, jdouble floor) {
    size_t cells = (size_t) bins * (size_t) frames;
    float *mag = (float *) malloc(sizeof(float) * cells);
    double *sums = (double *) malloc(sizeof(double) * (size_t) frames);
    double *terms = (double *) malloc(sizeof(double) * (size_t) frames * (size_t) nMels);
    if (mag == NULL || sums == NULL || terms == NULL) {
        free(mag);
        free(sums);
        free(terms);
        return NAN;
    }
    float *tt = (*env)->GetPrimitiveArrayCritical(env, jtt, NULL);
    float *cc = (*env)->GetPrimitiveArrayCritical(env, jcc, NULL);
    float *tc = (*env)->GetPrimitiveArrayCritical(env, jtc, NULL);
    jint *off = (*env)->GetPrimitiveArrayCritical(env, joffsets, NULL);
    jint *idx = (*env)->GetPrimitiveArrayCritical(env, jbins, NULL);
    float *w = (*env)->GetPrimitiveArrayCritical(env, jweights, NULL);
    float *target = (*env)->GetPrimitiveArrayCritical(env, jtarget, NULL);
    double loss = NAN;
    if (tt && cc && tc && off && idx && w && target) {
        double logFloor = log10(floor);
        for (size_t o = 0; o < cells; o++) {
            double p = tt[o] + g * g * cc[o] + g * tc[o];
            mag[o] = p > 0 ? (float) sqrt(p) : 0.0f;
        }
        for (long m = 0; m < nMels; m++) {
            for (long u = 0; u < frames; u++) sums[u] = 0;
            for (long i = off[m]; i < off[m + 1]; i++) {
                float wi = w[i];
                const float *row = mag + (long) idx[i] * frames;
                for (long u = 0; u < frames; u++) sums[u] += (float) (wi * row[u]);
            }
            for (long u = 0; u < frames; u++) {
                double v = sums[u] > floor ? log10(sums[u]) : logFloor;
                terms[u * nMels + m] = fabs(v - target[u * nMels + m]);
            }
        }
        loss = 0;
        for (size_t o = 0; o < (size_t) frames * (size_t) nMels; o++) loss += terms[o];
    }
    if (target) (*env)->ReleasePrimitiveArrayCritical(env, jtarget, target, JNI_ABORT);
    if (w) (*env)->ReleasePrimitiveArrayCritical(env, jweights, w, JNI_ABORT);
    if (idx) (*env)->ReleasePrimitiveArrayCritical(env, jbins, idx, JNI_ABORT);
    if (off) (*env)->ReleasePrimitiveArrayCritical(env, joffsets, off, JNI_ABORT);
    if (tc) (*env)->ReleasePrimitiveArrayCritical(env, jtc, tc, JNI_ABORT);
    if (cc) (*env)->ReleasePrimitiveArrayCritical(env, jcc, cc, JNI_ABORT);
    if (tt) (*env)->ReleasePrimitiveArrayCritical(env, jtt, tt, JNI_ABORT);
    free(mag);
    free(sums);
    free(terms);
    return loss;
}
