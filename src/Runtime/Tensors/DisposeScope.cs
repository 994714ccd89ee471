namespace ModelDsl.Runtime;

/// <summary>
/// Disposes, when it ends, every tensor created on this thread while it was the innermost scope (a training step's
/// temporaries), except those moved out with <see cref="Tensor.MoveToOuterScope"/> or
/// <see cref="Tensor.DetachFromDisposeScope"/>. Scopes nest (a thread-local stack) and must end innermost first.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? _current;

    private readonly List<Tensor> _tensors = [];
    private bool _disposed;

    public DisposeScope()
    {
        Outer = _current;
        _current = this;
    }

    /// <summary>The innermost scope of this thread, or null.</summary>
    public static DisposeScope? Current => _current;

    internal DisposeScope? Outer { get; }

    /// <summary>How many tensors this scope will dispose.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var tensor in _tensors)
                if (tensor.Scope == this && !tensor.IsDisposed)
                    count++;
            return count;
        }
    }

    internal void Register(Tensor tensor)
    {
        tensor.Scope = this;
        _tensors.Add(tensor);
    }

    /// <summary>Moves tensors created inside this scope to the outer scope (or out of all scopes).</summary>
    public void MoveToOuter(params Tensor[] tensors)
    {
        foreach (var tensor in tensors)
            tensor.MoveToOuterScope();
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        if (_current != this)
            throw new InvalidOperationException("dispose scopes must end innermost first (and on the thread that began them)");
        _disposed = true;
        _current = Outer;
        foreach (var tensor in _tensors)
            if (tensor.Scope == this)
                tensor.Dispose();
        _tensors.Clear();
    }
}
