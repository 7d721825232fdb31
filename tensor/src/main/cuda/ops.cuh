// Elementwise formulas, one per op, mirroring org.vfmtok.tensor.scalar.ScalarPointwise. The enums
// list the ops in the order of PointwiseKernels.UnaryOp / BinaryOp (Java passes ordinals);
// KernelSourceTest checks that order.
#pragma once
#include "common.cuh"

enum UnaryOp {
    NEG, EXP, LOG, SQRT, RSQRT, TANH, SIGMOID, RELU, GELU_ERF, GELU_TANH, SILU, ABS, SQUARE,
    RECIPROCAL, SIN, COS, SOFTPLUS, POW_SCALAR, CLAMP, AFFINE, LEAKY_RELU
};

enum BinaryOp { ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, EQ, NE, LT, LE, GT, GE };

template <typename T> __device__ __forceinline__ T sqrt_2_over_pi() { return (T) 0.7978845608028654; }

// Phi(x) through erfc: no cancellation in the lower tail (MathUtil.normalCdf)
template <typename T> __device__ __forceinline__ T normal_cdf(T x) { return (T) 0.5 * erfc(-x * (T) 0.7071067811865476); }

template <typename T>
__device__ __forceinline__ T unary_apply(int op, T x, T a, T b) {
    switch (op) {
        case NEG: return -x;
        case EXP: return exp(x);
        case LOG: return log(x);
        case SQRT: return sqrt(x);
        case RSQRT: return (T) 1 / sqrt(x);
        case TANH: return tanh(x);
        case SIGMOID: return (T) 1 / ((T) 1 + exp(-x));
        case RELU: return x > (T) 0 ? x : (x != x ? x : (T) 0);
        case GELU_ERF: return x * normal_cdf(x);
        case GELU_TANH: return (T) 0.5 * x * ((T) 1 + tanh(sqrt_2_over_pi<T>() * (x + (T) 0.044715 * x * x * x)));
        case SILU: return x / ((T) 1 + exp(-x));
        case ABS: return fabs(x);
        case SQUARE: return x * x;
        case RECIPROCAL: return (T) 1 / x;
        case SIN: return sin(x);
        case COS: return cos(x);
        case SOFTPLUS: return x > (T) 20 ? x : log1p(exp(x));
        case POW_SCALAR: return pow(x, a);
        case CLAMP: return x != x ? x : fmin(fmax(x, a), b);
        case AFFINE: return a * x + b;
        default: return x > (T) 0 ? x : a * x;  // LEAKY_RELU
    }
}

// d op(x) / dx given x and y = op(x)
template <typename T>
__device__ __forceinline__ T unary_derivative(int op, T x, T y, T a, T b) {
    switch (op) {
        case NEG: return (T) -1;
        case EXP: return y;
        case LOG: return (T) 1 / x;
        case SQRT: return (T) 0.5 / y;
        case RSQRT: return (T) -0.5 * y * y * y;
        case TANH: return (T) 1 - y * y;
        case SIGMOID: return y * ((T) 1 - y);
        case RELU: return x > (T) 0 ? (T) 1 : (T) 0;
        case GELU_ERF: return normal_cdf(x) + x * exp((T) -0.5 * x * x) * (T) 0.3989422804014327;
        case GELU_TANH: {
            T inner = sqrt_2_over_pi<T>() * (x + (T) 0.044715 * x * x * x);
            T t = tanh(inner);
            T dinner = sqrt_2_over_pi<T>() * ((T) 1 + (T) 3 * (T) 0.044715 * x * x);
            return (T) 0.5 * ((T) 1 + t) + (T) 0.5 * x * ((T) 1 - t * t) * dinner;
        }
        case SILU: {
            T s = (T) 1 / ((T) 1 + exp(-x));
            return s * ((T) 1 + x * ((T) 1 - s));
        }
        case ABS: return x > (T) 0 ? (T) 1 : (x < (T) 0 ? (T) -1 : (T) 0);
        case SQUARE: return (T) 2 * x;
        case RECIPROCAL: return -y * y;
        case SIN: return cos(x);
        case COS: return -sin(x);
        case SOFTPLUS: return x > (T) 20 ? (T) 1 : (T) 1 / ((T) 1 + exp(-x));
        case POW_SCALAR: return a == (T) 0 ? (T) 0 : a * pow(x, a - (T) 1);
        case CLAMP: return (x >= a && x <= b) ? (T) 1 : (T) 0;
        case AFFINE: return a;
        default: return x > (T) 0 ? (T) 1 : a;  // LEAKY_RELU
    }
}

template <typename T>
__device__ __forceinline__ T binary_apply(int op, T x, T y) {
    switch (op) {
        case ADD: return x + y;
        case SUB: return x - y;
        case MUL: return x * y;
        case DIV: return x / y;
        case POW: return pow(x, y);
        case MAXIMUM: return (x != x || y != y) ? (T) NAN : fmax(x, y);
        case MINIMUM: return (x != x || y != y) ? (T) NAN : fmin(x, y);
        case EQ: return x == y ? (T) 1 : (T) 0;
        case NE: return x != y ? (T) 1 : (T) 0;
        case LT: return x < y ? (T) 1 : (T) 0;
        case LE: return x <= y ? (T) 1 : (T) 0;
        case GT: return x > y ? (T) 1 : (T) 0;
        default: return x >= y ? (T) 1 : (T) 0;  // GE
    }
}
