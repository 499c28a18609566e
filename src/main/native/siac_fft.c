/*
 * Real FFTs through the oneMKL DFTI that libtorch carries, with a descriptor kept per (length, rows) instead of
 * one built and committed on every call (docs/DJL_PITFALLS.md, section 6): the setup cost ~1 ms per 2^16-point
 * call against ~0.1 ms of transform. Loaded by dev.siac.dsp.NativeFft; the DFTI entry points are looked up in the
 * libtorch_cpu.so that DJL has already loaded (its path is given by the Java side).
 */
#include <jni.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <math.h>

/* DFTI configuration parameters and values (oneMKL's mkl_dfti.h) */
enum {
    P_NUMBER_OF_TRANSFORMS = 7,
    P_CONJUGATE_EVEN_STORAGE = 10,
    P_PLACEMENT = 11,
    P_INPUT_DISTANCE = 14,
    P_OUTPUT_DISTANCE = 15,
    P_THREAD_LIMIT = 27,
    V_REAL = 33,
    V_COMPLEX_COMPLEX = 39,
    V_NOT_INPLACE = 44
};

typedef long (*create_fn)(void **, int, long);
typedef long (*set_fn)(void *, int, ...);
typedef long (*commit_fn)(void *);
typedef long (*compute_fn)(void *, void *, ...);
typedef long (*free_fn)(void **);

static create_fn dfti_create;
static set_fn dfti_set;
static commit_fn dfti_commit;
static compute_fn dfti_forward;
static compute_fn dfti_backward;
static free_fn dfti_free;

/* 0 when the DFTI entry points were found in the library at path. */
JNIEXPORT jint JNICALL Java_dev_siac_dsp_NativeFft_init(JNIEnv *env, jclass cls, jstring path) {
    const char *p = (*env)->GetStringUTFChars(env, path, NULL);
    void *h = dlopen(p, RTLD_NOW | RTLD_NOLOAD);
    if (h == NULL) h = dlopen(p, RTLD_NOW);
    (*env)->ReleaseStringUTFChars(env, path, p);
    if (h == NULL) return 1;
    dfti_create = (create_fn) dlsym(h, "DftiCreateDescriptor_s_1d");
    dfti_set = (set_fn) dlsym(h, "DftiSetValue");
    dfti_commit = (commit_fn) dlsym(h, "DftiCommitDescriptor");
    dfti_forward = (compute_fn) dlsym(h, "DftiComputeForward");
    dfti_backward = (compute_fn) dlsym(h, "DftiComputeBackward");
    dfti_free = (free_fn) dlsym(h, "DftiFreeDescriptor");
    return dfti_create && dfti_set && dfti_commit && dfti_forward && dfti_backward && dfti_free ? 0 : 2;
}

/*
 * A committed descriptor for rows real transforms of length n (out of place, n/2+1 complex values a row), forward
 * or backward (the input and output distances are the computation's own), or 0.
 */
JNIEXPORT jlong JNICALL Java_dev_siac_dsp_NativeFft_plan0(JNIEnv *env, jclass cls, jint n, jint rows, jboolean forward) {
    void *d = NULL;
    long half = (long) n / 2 + 1;
    if (dfti_create(&d, V_REAL, (long) n) != 0) return 0;
    long st = dfti_set(d, P_PLACEMENT, V_NOT_INPLACE);
    st |= dfti_set(d, P_CONJUGATE_EVEN_STORAGE, V_COMPLEX_COMPLEX);
    st |= dfti_set(d, P_NUMBER_OF_TRANSFORMS, (long) rows);
    st |= dfti_set(d, P_INPUT_DISTANCE, forward ? (long) n : half);
    st |= dfti_set(d, P_OUTPUT_DISTANCE, forward ? half : (long) n);
    /* one thread: the codec's parallel work is its parts and files, and waking a pool costs more than it saves */
    st |= dfti_set(d, P_THREAD_LIMIT, (long) 1);
    st |= dfti_commit(d);
    if (st != 0) {
        dfti_free(&d);
        return 0;
    }
    return (jlong) (intptr_t) d;
}

/*
 * Forward: rows of len floats from in (contiguous), zero-padded to n, transformed into out (rows x (n/2+1) complex,
 * interleaved). 0 on success. A descriptor may be used by several threads at once; the scratch is per call.
 */
JNIEXPORT jint JNICALL Java_dev_siac_dsp_NativeFft_forward(JNIEnv *env, jclass cls, jlong plan, jobject in, jint rows,
                                                           jint len, jint n, jobject out) {
    float *x = (float *) (*env)->GetDirectBufferAddress(env, in);
    float *y = (float *) (*env)->GetDirectBufferAddress(env, out);
    if (x == NULL || y == NULL) return 1;
    if (len == n) return dfti_forward((void *) (intptr_t) plan, x, y) == 0 ? 0 : 2; /* out of place: x is kept */
    float *s = (float *) malloc(sizeof(float) * (size_t) rows * (size_t) n);
    if (s == NULL) return 3;
    for (long r = 0; r < rows; r++) {
        memcpy(s + r * (long) n, x + r * (long) len, sizeof(float) * (size_t) len);
        memset(s + r * (long) n + len, 0, sizeof(float) * (size_t) (n - len));
    }
    long st = dfti_forward((void *) (intptr_t) plan, s, y);
    free(s);
    return st == 0 ? 0 : 2;
}

/*
 * Backward: rows of n/2+1 complex values from in, copied first (a complex-to-real transform may overwrite its
 * input), transformed to n real samples, the first keep of each row scaled by 1/n into out (rows x keep floats).
 * 0 on success.
 */
JNIEXPORT jint JNICALL Java_dev_siac_dsp_NativeFft_backward(JNIEnv *env, jclass cls, jlong plan, jobject in, jint rows,
                                                            jint n, jint keep, jobject out) {
    float *x = (float *) (*env)->GetDirectBufferAddress(env, in);
    float *y = (float *) (*env)->GetDirectBufferAddress(env, out);
    if (x == NULL || y == NULL) return 1;
    size_t cfloats = 2 * (size_t) rows * (size_t) (n / 2 + 1);
    float *c = (float *) malloc(sizeof(float) * cfloats);
    float *s = (float *) malloc(sizeof(float) * (size_t) rows * (size_t) n);
    if (c == NULL || s == NULL) {
        free(c);
        free(s);
        return 3;
    }
    memcpy(c, x, sizeof(float) * cfloats);
    long st = dfti_backward((void *) (intptr_t) plan, c, s);
    if (st == 0) {
        float scale = 1.0f / (float) n;
        for (long r = 0; r < rows; r++) {
            float *src = s + r * (long) n, *dst = y + r * (long) keep;
            for (long i = 0; i < keep; i++) dst[i] = src[i] * scale;
        }
    }
    free(c);
    free(s);
    return st == 0 ? 0 : 2;
}

/*
 * Magnitude STFT of one signal: len samples of x after lead zeros, zero-padded at the end; frame f is samples
 * [hop f, hop f + n) of that, times win (n), through the forward descriptor plan (n points, frames rows). out
 * (n/2+1 bins x frames, bin-major) gets |X| * scale, computed in double from the float spectrum. 0 on success.
 */
JNIEXPORT jint JNICALL Java_dev_siac_dsp_NativeFft_magnitude0(JNIEnv *env, jclass cls, jlong plan, jfloatArray jx,
                                                              jint len, jint lead, jint frames, jint hop, jint n,
                                                              jfloatArray jwin, jfloat scale, jfloatArray jout) {
    long half = (long) n / 2 + 1;
    float *s = (float *) malloc(sizeof(float) * (size_t) frames * (size_t) n);
    float *y = (float *) malloc(sizeof(float) * 2 * (size_t) frames * (size_t) half);
    if (s == NULL || y == NULL) {
        free(s);
        free(y);
        return 3;
    }
    float *x = (*env)->GetPrimitiveArrayCritical(env, jx, NULL);
    float *win = (*env)->GetPrimitiveArrayCritical(env, jwin, NULL);
    if (x == NULL || win == NULL) {
        if (win) (*env)->ReleasePrimitiveArrayCritical(env, jwin, win, JNI_ABORT);
        if (x) (*env)->ReleasePrimitiveArrayCritical(env, jx, x, JNI_ABORT);
        free(s);
        free(y);
        return 1;
    }
    for (long f = 0; f < frames; f++) {
        float *row = s + f * (long) n;
        for (long j = 0; j < n; j++) {
            long i = f * (long) hop + j - lead;
            row[j] = i >= 0 && i < len ? x[i] * win[j] : 0.0f;
        }
    }
    (*env)->ReleasePrimitiveArrayCritical(env, jwin, win, JNI_ABORT);
    (*env)->ReleasePrimitiveArrayCritical(env, jx, x, JNI_ABORT);
    long st = dfti_forward((void *) (intptr_t) plan, s, y);
    free(s);
    if (st != 0) {
        free(y);
        return 2;
    }
    float *out = (*env)->GetPrimitiveArrayCritical(env, jout, NULL);
    if (out == NULL) {
        free(y);
        return 1;
    }
    for (long f = 0; f < frames; f++) {
        const float *c = y + 2 * f * half;
        for (long b = 0; b < half; b++) {
            double re = c[2 * b], im = c[2 * b + 1];
            out[b * frames + f] = (float) sqrt(re * re + im * im) * scale;
        }
    }
    (*env)->ReleasePrimitiveArrayCritical(env, jout, out, 0);
    free(y);
    return 0;
}
