namespace ModelDsl.Runtime;

/// <summary>
/// Something with weights: its own parameters and buffers (non-trainable state such as batch normalization's moving
/// statistics) and child modules, each kept in registration order. Names are Keras-like paths: "lstm_1/kernel".
/// Disposing a module disposes its weights and children.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string Name, Parameter Parameter)> _parameters = [];
    private readonly List<(string Name, Tensor Buffer)> _buffers = [];
    private readonly List<(string Name, Module Module)> _children = [];
    private bool _disposed;

    /// <summary>True while training (dropout active, batch statistics); set for the whole tree with <see cref="Train"/>.</summary>
    public bool Training { get; private set; } = true;

    public void Train(bool training = true)
    {
        Training = training;
        foreach (var (_, child) in _children)
            child.Train(training);
    }

    public void Eval() => Train(false);

    /// <summary>Makes <paramref name="value"/> a parameter of this module (it takes the data; <paramref name="value"/> is disposed).</summary>
    protected Parameter RegisterParameter(string name, Tensor value, bool trainable = true)
    {
        EnsureNewName(name);
        var parameter = new Parameter(name, value, trainable);
        _parameters.Add((name, parameter));
        return parameter;
    }

    /// <summary>Makes <paramref name="value"/> non-trainable state of this module, taken out of any dispose scope.</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        EnsureNewName(name);
        value.DetachFromDisposeScope();
        _buffers.Add((name, value));
        return value;
    }

    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        EnsureNewName(name);
        module.Train(Training);
        _children.Add((name, module));
        return module;
    }

    private void EnsureNewName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_parameters.Exists(p => p.Name == name) || _buffers.Exists(b => b.Name == name) || _children.Exists(c => c.Name == name))
            throw new ArgumentException($"'{name}' is already registered in this module", nameof(name));
    }

    public IReadOnlyList<(string Name, Module Module)> NamedChildren() => _children;

    /// <summary>Every parameter, own first, then the children's in order (what an optimizer takes).</summary>
    public IReadOnlyList<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter).ToList();

    /// <summary>The parameters the optimizer updates.</summary>
    public IReadOnlyList<Parameter> TrainableParameters() => NamedParameters().Where(p => p.Parameter.Trainable).Select(p => p.Parameter).ToList();

    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters()
    {
        var result = new List<(string, Parameter)>();
        Collect(this, "", result, (m, prefix, list) =>
        {
            foreach (var (name, parameter) in m._parameters)
                list.Add((prefix + name, parameter));
        });
        return result;
    }

    public IReadOnlyList<(string Name, Tensor Buffer)> NamedBuffers()
    {
        var result = new List<(string, Tensor)>();
        Collect(this, "", result, (m, prefix, list) =>
        {
            foreach (var (name, buffer) in m._buffers)
                list.Add((prefix + name, buffer));
        });
        return result;
    }

    /// <summary>Keras' <c>weights</c>: per module its parameters then its buffers, modules in order. What a checkpoint holds.</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> NamedWeights()
    {
        var result = new List<(string, Tensor)>();
        Collect(this, "", result, (m, prefix, list) =>
        {
            foreach (var (name, parameter) in m._parameters)
                list.Add((prefix + name, parameter));
            foreach (var (name, buffer) in m._buffers)
                list.Add((prefix + name, buffer));
        });
        return result;
    }

    private static void Collect<T>(Module module, string prefix, List<T> list, Action<Module, string, List<T>> own)
    {
        own(module, prefix, list);
        foreach (var (name, child) in module._children)
            Collect(child, prefix + name + "/", list, own);
    }

    /// <summary>Keras' "Total params": every weight's element count, buffers included.</summary>
    public long WeightCount => NamedWeights().Sum(w => w.Tensor.NumElements);

    /// <summary>Keras' "Trainable params".</summary>
    public long TrainableWeightCount => TrainableParameters().Sum(p => p.NumElements);

    /// <summary>Moves every weight to <paramref name="device"/> in place (parameters keep their identity).</summary>
    public virtual void To(Device device) => Convert(w => w.To(device));

    /// <summary>Converts every floating-point weight to <paramref name="dtype"/> in place.</summary>
    public virtual void To(DType dtype) => Convert(w => w.DType.IsFloatingPoint() ? w.To(dtype) : w.Alias());

    private void Convert(Func<Tensor, Tensor> convert)
    {
        foreach (var (_, weight) in NamedWeights())
        {
            using var converted = convert(weight);
            weight.SetData(converted);
        }
    }

    /// <summary>Drops every parameter's gradient.</summary>
    public void ZeroGrad() => Optimizers.Optimizer.ClearGradients(Parameters());

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing)
            return;
        _disposed = true;
        foreach (var (_, parameter) in _parameters)
            parameter.Dispose();
        foreach (var (_, buffer) in _buffers)
            buffer.Dispose();
        foreach (var (_, child) in _children)
            child.Dispose();
    }
}
