using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelDsl.Runtime;

/// <summary>The raw memory of CPU tensors, for the passes that work on it in C# (fused kernels, optimizer updates).</summary>
internal static class TensorMemory
{
    /// <summary>
    /// The first element of a dense CPU tensor (<see cref="Tensor.bytes"/> checks both, and spans at most
    /// int.MaxValue bytes); valid while the tensor lives.
    /// </summary>
    public static unsafe T* Pointer<T>(Tensor tensor) where T : unmanaged => (T*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));
}
