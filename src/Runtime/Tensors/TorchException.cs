namespace ModelDsl.Runtime;

/// <summary>An error raised inside libtorch (or the native shim), carrying libtorch's own message.</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message)
    {
    }

    public TorchException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
