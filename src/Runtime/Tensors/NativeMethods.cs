using System.Reflection;
using System.Runtime.InteropServices;

namespace ModelDsl.Runtime;

/// <summary>
/// The entry points of libmodeldsl_native.so (src/Runtime/Native). Tensor-returning calls return null on failure,
/// the others a non-zero status; either way the message is in <see cref="LastError"/> (see <see cref="Check(int)"/>).
/// Tensor arguments are SafeHandles, so a tensor cannot be freed (by Dispose or the finalizer) during a call.
/// </summary>
internal static unsafe partial class NativeMethods
{
    private const string Library = "modeldsl_native";

    // Looks next to this assembly too, so hosts that do not probe their app directory still find the shim.
    static NativeMethods() => NativeLibrary.SetDllImportResolver(typeof(NativeMethods).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library)
            return IntPtr.Zero;
        var local = Path.Combine(AppContext.BaseDirectory, "libmodeldsl_native.so");
        var beside = Path.Combine(Path.GetDirectoryName(assembly.Location) ?? "", "libmodeldsl_native.so");
        foreach (var candidate in new[] { beside, local })
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var loaded))
                return loaded;
        return IntPtr.Zero;
    }

    internal static string LastError => Marshal.PtrToStringUTF8(mdsl_last_error()) ?? "unknown native error";

    internal static void Check(int status)
    {
        if (status != 0)
            throw new TorchException(LastError);
    }

    internal static IntPtr Check(IntPtr tensor) => tensor != IntPtr.Zero ? tensor : throw new TorchException(LastError);

    [LibraryImport(Library)] private static partial IntPtr mdsl_last_error();
    [LibraryImport(Library, EntryPoint = "mdsl_live_tensors")] internal static partial long LiveTensors();
    [LibraryImport(Library, EntryPoint = "mdsl_free")] internal static partial void Free(IntPtr tensor);
    [LibraryImport(Library, EntryPoint = "mdsl_info")]
    internal static partial int Info(TensorHandle t, out int dtype, out int ndim, out int deviceType, out int deviceIndex, out int requiresGrad);
    [LibraryImport(Library, EntryPoint = "mdsl_shape")] internal static partial int Shape(TensorHandle t, long* shape, int capacity, out int ndim);
    [LibraryImport(Library, EntryPoint = "mdsl_from_data")]
    internal static partial IntPtr FromData(void* data, long* shape, int ndim, int dtype, int deviceType, int deviceIndex);
    [LibraryImport(Library, EntryPoint = "mdsl_copy_to")] internal static partial int CopyTo(TensorHandle t, void* data, long capacityBytes);
    [LibraryImport(Library, EntryPoint = "mdsl_item")] internal static partial int Item(TensorHandle t, out double value);
    [LibraryImport(Library, EntryPoint = "mdsl_item_long")] internal static partial int ItemLong(TensorHandle t, out long value);
    [LibraryImport(Library, EntryPoint = "mdsl_filled")]
    internal static partial IntPtr Filled(long* shape, int ndim, int kind, double value, int dtype, int deviceType, int deviceIndex);
    [LibraryImport(Library, EntryPoint = "mdsl_random")]
    internal static partial IntPtr Random(long* shape, int ndim, int kind, double a, double b, int dtype, int deviceType, int deviceIndex);
    [LibraryImport(Library, EntryPoint = "mdsl_randperm")] internal static partial IntPtr RandPerm(long n, int deviceType, int deviceIndex);
    [LibraryImport(Library, EntryPoint = "mdsl_arange")]
    internal static partial IntPtr Arange(double start, double end, double step, int dtype, int deviceType, int deviceIndex);
    [LibraryImport(Library, EntryPoint = "mdsl_like")] internal static partial IntPtr Like(TensorHandle t, int kind, double value);
    [LibraryImport(Library, EntryPoint = "mdsl_to")] internal static partial IntPtr To(TensorHandle t, int dtype, int deviceType, int deviceIndex, int copy);
    [LibraryImport(Library, EntryPoint = "mdsl_orthogonal")] internal static partial IntPtr Orthogonal(long rows, long cols, double gain, int dtype);

    [LibraryImport(Library, EntryPoint = "mdsl_set_requires_grad")] internal static partial int SetRequiresGrad(TensorHandle t, int value);
    [LibraryImport(Library, EntryPoint = "mdsl_grad")] internal static partial int Grad(TensorHandle t, out IntPtr grad);
    [LibraryImport(Library, EntryPoint = "mdsl_backward")] internal static partial int Backward(TensorHandle t, TensorHandle gradient, int retainGraph);
    [LibraryImport(Library, EntryPoint = "mdsl_clear_grads")] internal static partial int ClearGrads(IntPtr* tensors, int count);
    [LibraryImport(Library, EntryPoint = "mdsl_is_grad_enabled")] internal static partial int IsGradEnabled();
    [LibraryImport(Library, EntryPoint = "mdsl_set_grad_enabled")] internal static partial void SetGradEnabled(int enabled);
    [LibraryImport(Library, EntryPoint = "mdsl_set_data")] internal static partial int SetData(TensorHandle t, TensorHandle source);

    [LibraryImport(Library, EntryPoint = "mdsl_manual_seed")] internal static partial int ManualSeed(ulong seed);
    [LibraryImport(Library, EntryPoint = "mdsl_set_num_threads")] internal static partial int SetNumThreads(int threads);
    [LibraryImport(Library, EntryPoint = "mdsl_set_blas_threads")] internal static partial int SetBlasThreads(int threads);
    [LibraryImport(Library, EntryPoint = "mdsl_get_blas_threads")] internal static partial int GetBlasThreads();
    [LibraryImport(Library, EntryPoint = "mdsl_set_fused_kernels")] internal static partial void SetFusedKernels(int enabled);
    [LibraryImport(Library, EntryPoint = "mdsl_get_fused_kernels")] internal static partial int GetFusedKernels();
    [LibraryImport(Library, EntryPoint = "mdsl_get_num_threads")] internal static partial int GetNumThreads();
    [LibraryImport(Library, EntryPoint = "mdsl_cuda_device_count")] internal static partial int CudaDeviceCount();
    [LibraryImport(Library, EntryPoint = "mdsl_cuda_synchronize")] internal static partial int CudaSynchronize(int deviceIndex);
    [LibraryImport(Library, EntryPoint = "mdsl_cuda_graphs_available")] internal static partial int CudaGraphsAvailable();
    [LibraryImport(Library, EntryPoint = "mdsl_cuda_graph_new")] internal static partial IntPtr CudaGraphNew(int deviceIndex);
    [LibraryImport(Library, EntryPoint = "mdsl_cuda_graph_enter")] internal static partial int CudaGraphEnter(IntPtr graph);
    [LibraryImport(Library, EntryPoint = "mdsl_cuda_graph_leave")] internal static partial int CudaGraphLeave(IntPtr graph);
    [LibraryImport(Library, EntryPoint = "mdsl_cuda_graph_capture_begin")] internal static partial int CudaGraphCaptureBegin(IntPtr graph);
    [LibraryImport(Library, EntryPoint = "mdsl_cuda_graph_capture_end")] internal static partial int CudaGraphCaptureEnd(IntPtr graph);
    [LibraryImport(Library, EntryPoint = "mdsl_cuda_graph_replay")] internal static partial int CudaGraphReplay(IntPtr graph);
    [LibraryImport(Library, EntryPoint = "mdsl_cuda_graph_free")] internal static partial void CudaGraphFree(IntPtr graph);
    [LibraryImport(Library, EntryPoint = "mdsl_keeps_freed_memory")] internal static partial int KeepsFreedMemory();
    [LibraryImport(Library, EntryPoint = "mdsl_torch_version")] internal static partial IntPtr TorchVersion();

    [LibraryImport(Library, EntryPoint = "mdsl_unary")] internal static partial IntPtr Unary(TensorHandle t, UnaryOp op);
    [LibraryImport(Library, EntryPoint = "mdsl_activation")] internal static partial IntPtr Activate(TensorHandle t, Activation activation);
    [LibraryImport(Library, EntryPoint = "mdsl_softmax")] internal static partial IntPtr Softmax(TensorHandle t, long dim, int log);
    [LibraryImport(Library, EntryPoint = "mdsl_binary")] internal static partial IntPtr Binary(TensorHandle a, TensorHandle b, BinaryOp op);
    [LibraryImport(Library, EntryPoint = "mdsl_binary_scalar")] internal static partial IntPtr BinaryScalar(TensorHandle a, double s, BinaryOp op);
    [LibraryImport(Library, EntryPoint = "mdsl_binary_inplace")] internal static partial int BinaryInPlace(TensorHandle a, TensorHandle b, BinaryOp op, double alpha);
    [LibraryImport(Library, EntryPoint = "mdsl_binary_scalar_inplace")] internal static partial int BinaryScalarInPlace(TensorHandle a, double s, BinaryOp op);
    [LibraryImport(Library, EntryPoint = "mdsl_fill_inplace")] internal static partial int FillInPlace(TensorHandle t, double value);
    [LibraryImport(Library, EntryPoint = "mdsl_copy_inplace")] internal static partial int CopyInPlace(TensorHandle destination, TensorHandle source);
    [LibraryImport(Library, EntryPoint = "mdsl_clamp")] internal static partial IntPtr Clamp(TensorHandle t, double min, double max, int hasMin, int hasMax);
    [LibraryImport(Library, EntryPoint = "mdsl_where")] internal static partial IntPtr Where(TensorHandle condition, TensorHandle a, TensorHandle b);
    [LibraryImport(Library, EntryPoint = "mdsl_all_finite")] internal static partial int AllFinite(TensorHandle t, out int result);
    [LibraryImport(Library, EntryPoint = "mdsl_reduce")] internal static partial IntPtr Reduce(TensorHandle t, ReduceOp op, long* dims, int ndims, int keepDim);
    [LibraryImport(Library, EntryPoint = "mdsl_argmax")] internal static partial IntPtr ArgMax(TensorHandle t, long dim, int keepDim);
    [LibraryImport(Library, EntryPoint = "mdsl_max_dim")]
    internal static partial int MaxDim(TensorHandle t, long dim, int keepDim, out IntPtr values, out IntPtr indices);

    [LibraryImport(Library, EntryPoint = "mdsl_shape_op")] internal static partial IntPtr ShapeOp(TensorHandle t, ShapeOpKind op, long* values, int count);
    [LibraryImport(Library, EntryPoint = "mdsl_flatten")] internal static partial IntPtr Flatten(TensorHandle t, long start, long end);
    [LibraryImport(Library, EntryPoint = "mdsl_transpose")] internal static partial IntPtr Transpose(TensorHandle t, long dim0, long dim1);
    [LibraryImport(Library, EntryPoint = "mdsl_narrow")] internal static partial IntPtr Narrow(TensorHandle t, long dim, long start, long length);
    [LibraryImport(Library, EntryPoint = "mdsl_slice")] internal static partial IntPtr Slice(TensorHandle t, long dim, long start, long end, long step);
    [LibraryImport(Library, EntryPoint = "mdsl_select")] internal static partial IntPtr Select(TensorHandle t, long dim, long index);
    [LibraryImport(Library, EntryPoint = "mdsl_squeeze")] internal static partial IntPtr Squeeze(TensorHandle t, long dim, int unsqueeze);
    [LibraryImport(Library, EntryPoint = "mdsl_index_select")] internal static partial IntPtr IndexSelect(TensorHandle t, long dim, TensorHandle index);
    [LibraryImport(Library, EntryPoint = "mdsl_cat")] internal static partial IntPtr Cat(IntPtr* tensors, int count, long dim, int stack);
    [LibraryImport(Library, EntryPoint = "mdsl_split")]
    internal static partial int Split(TensorHandle t, int op, long dim, IntPtr* parts, int capacity, out int count);
    [LibraryImport(Library, EntryPoint = "mdsl_matmul")] internal static partial IntPtr MatMul(TensorHandle a, TensorHandle b);
    [LibraryImport(Library, EntryPoint = "mdsl_linear")] internal static partial IntPtr Linear(TensorHandle x, TensorHandle weight, TensorHandle bias);
    [LibraryImport(Library, EntryPoint = "mdsl_dense")] internal static partial IntPtr Dense(TensorHandle x, TensorHandle kernel, TensorHandle bias);

    [LibraryImport(Library, EntryPoint = "mdsl_conv")]
    internal static partial IntPtr Conv(TensorHandle x, TensorHandle weight, TensorHandle bias, int spatial, long* stride, long* padding, long* dilation);
    [LibraryImport(Library, EntryPoint = "mdsl_max_pool")]
    internal static partial IntPtr MaxPool(TensorHandle x, int spatial, long* kernel, long* stride, long* padding);
    [LibraryImport(Library, EntryPoint = "mdsl_constant_pad")] internal static partial IntPtr ConstantPad(TensorHandle x, long* pads, int count, double value);
    [LibraryImport(Library, EntryPoint = "mdsl_conv_channels_last")]
    internal static partial IntPtr ConvChannelsLast(TensorHandle x, TensorHandle kernel, TensorHandle bias, int spatial, long* stride, long* dilation,
        long* padBefore, long* padAfter);
    [LibraryImport(Library, EntryPoint = "mdsl_max_pool_channels_last")]
    internal static partial IntPtr MaxPoolChannelsLast(TensorHandle x, int spatial, long* kernel, long* stride, long* padBefore, long* padAfter);
    [LibraryImport(Library, EntryPoint = "mdsl_batch_norm")]
    internal static partial IntPtr BatchNorm(TensorHandle x, TensorHandle gamma, TensorHandle beta, TensorHandle movingMean, TensorHandle movingVariance,
        int training, double momentum, double epsilon);
    [LibraryImport(Library, EntryPoint = "mdsl_embedding")] internal static partial IntPtr Embedding(TensorHandle weight, TensorHandle indices);
    [LibraryImport(Library, EntryPoint = "mdsl_dropout")] internal static partial IntPtr Dropout(TensorHandle x, double rate, int training);
    [LibraryImport(Library, EntryPoint = "mdsl_nll_loss")] internal static partial IntPtr NllLoss(TensorHandle logProbabilities, TensorHandle targets, Reduction reduction);
    [LibraryImport(Library, EntryPoint = "mdsl_pointwise_loss")]
    internal static partial IntPtr PointwiseLoss(TensorHandle input, TensorHandle target, int kind, Reduction reduction);

    [LibraryImport(Library, EntryPoint = "mdsl_lstm")]
    internal static partial IntPtr Lstm(TensorHandle x, TensorHandle kernel, TensorHandle recurrent, TensorHandle bias, Activation activation,
        Activation recurrentActivation, int returnSequences);
    [LibraryImport(Library, EntryPoint = "mdsl_gru")]
    internal static partial IntPtr Gru(TensorHandle x, TensorHandle kernel, TensorHandle recurrent, TensorHandle bias, Activation activation,
        Activation recurrentActivation, int returnSequences, int resetAfter);
    [LibraryImport(Library, EntryPoint = "mdsl_simple_rnn")]
    internal static partial IntPtr SimpleRnn(TensorHandle x, TensorHandle kernel, TensorHandle recurrent, TensorHandle bias, Activation activation,
        int returnSequences);

    [LibraryImport(Library, EntryPoint = "mdsl_adam_step")]
    internal static partial int AdamStep(IntPtr* parameters, IntPtr* m, IntPtr* v, IntPtr* maxV, int count, double learningRate, double beta1, double beta2,
        double epsilon, double weightDecay, long step);
    [LibraryImport(Library, EntryPoint = "mdsl_adam_step_on_device")]
    internal static partial int AdamStepOnDevice(IntPtr* parameters, IntPtr* m, IntPtr* v, IntPtr* maxV, int count, TensorHandle baseLearningRate,
        TensorHandle iterations, double decay, double beta1, double beta2, double epsilon, double weightDecay);
    [LibraryImport(Library, EntryPoint = "mdsl_sgd_step")]
    internal static partial int SgdStep(IntPtr* parameters, IntPtr* velocity, int count, double learningRate, double momentum, int nesterov);
    [LibraryImport(Library, EntryPoint = "mdsl_sgd_step_on_device")]
    internal static partial int SgdStepOnDevice(IntPtr* parameters, IntPtr* velocity, int count, TensorHandle baseLearningRate, TensorHandle iterations,
        double decay, double momentum, int nesterov);
    [LibraryImport(Library, EntryPoint = "mdsl_rmsprop_step")]
    internal static partial int RmsPropStep(IntPtr* parameters, IntPtr* meanSquare, IntPtr* moment, int count, double learningRate, double rho,
        double momentum, double epsilon);
    [LibraryImport(Library, EntryPoint = "mdsl_rmsprop_step_on_device")]
    internal static partial int RmsPropStepOnDevice(IntPtr* parameters, IntPtr* meanSquare, IntPtr* moment, int count, TensorHandle baseLearningRate,
        TensorHandle iterations, double decay, double rho, double momentum, double epsilon);
}

internal enum UnaryOp
{
    Neg, Abs, Sqrt, Rsqrt, Exp, Log, Square, Sign, Floor, IsFinite, LogicalNot, Clone, Detach, Contiguous, Alias, Log1p,
}

internal enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, ReverseSub, ReverseDiv,
}

internal enum ReduceOp { Sum, Mean, Max, Min, All, Any }

internal enum ShapeOpKind { Reshape, View, Permute, Expand }
