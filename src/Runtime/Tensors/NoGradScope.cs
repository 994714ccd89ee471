namespace ModelDsl.Runtime;

/// <summary>Turns autograd recording off on this thread until disposed (libtorch's NoGradGuard).</summary>
public sealed class NoGradScope : IDisposable
{
    private readonly bool _previous;
    private bool _disposed;

    public NoGradScope()
    {
        _previous = Torch.IsGradEnabled;
        NativeMethods.SetGradEnabled(0);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        NativeMethods.SetGradEnabled(_previous ? 1 : 0);
    }
}
