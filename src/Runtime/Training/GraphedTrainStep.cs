using ModelDsl.Runtime.Optimizers;

namespace ModelDsl.Runtime.Training;

/// <summary>Work on one batch that returns its loss and logits.</summary>
internal delegate (Tensor Loss, Tensor Logits) BatchStep(Tensor inputs, Tensor targets);

/// <summary>
/// The whole training step (forward, loss, backward, optimizer update) as one CUDA graph. A small model on a GPU is
/// bound by kernel launches, not arithmetic; the step is the same every batch, so it is captured once and replayed:
/// one launch per step. The batch is copied into static input tensors first; the optimizer's step counter and rate live
/// on the device (exact bias correction and decay under replay); dropout masks are fresh per replay (libtorch's CUDA
/// generator is registered with the graph). The first steps run eagerly on the graph's stream to warm libtorch up.
/// </summary>
internal sealed class GraphedTrainStep : IDisposable
{
    /// <summary>Eager steps before the capture (lazy cuBLAS and allocator set-up must not happen inside one).</summary>
    private const int WarmupSteps = 3;

    private readonly Optimizer _optimizer;
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly CudaGraph _graph;
    private readonly BatchStep _lossAndGradients;
    private readonly BatchStep _eagerStep;
    private int _warmedUp;
    private Tensor? _inputs;
    private Tensor? _targets;
    private Tensor? _loss;
    private Tensor? _logits;

    private GraphedTrainStep(Device device, Optimizer optimizer, IReadOnlyList<Parameter> parameters,
        BatchStep lossAndGradients, BatchStep eagerStep)
    {
        _optimizer = optimizer;
        _parameters = parameters;
        _lossAndGradients = lossAndGradients;
        _eagerStep = eagerStep;
        _graph = new CudaGraph(device);
    }

    /// <summary>
    /// A graphed step when the model is on a GPU and graphs are on (every optimizer has a device-side update), else
    /// null. <paramref name="lossAndGradients"/> computes the loss and the gradients (and returns the loss and the
    /// logits): the work captured; <paramref name="eagerStep"/> is the whole step op by op, for the warm-up.
    /// </summary>
    public static GraphedTrainStep? TryCreate(Device device, Optimizer optimizer, IReadOnlyList<Parameter> parameters, bool enabled,
        BatchStep lossAndGradients, BatchStep eagerStep) =>
        enabled && device.IsCuda && CudaGraph.Supported
            ? new GraphedTrainStep(device, optimizer, parameters, lossAndGradients, eagerStep)
            : null;

    /// <summary>Trains on one full batch. The returned tensors are overwritten by the next step and must not be disposed.</summary>
    public (Tensor Loss, Tensor Logits, Tensor Targets) Run(Tensor inputs, Tensor targets)
    {
        if (!_graph.IsCaptured)
        {
            if (_warmedUp < WarmupSteps)
            {
                _warmedUp++;
                _graph.EnterSideStream();
                try
                {
                    var (loss, logits) = _eagerStep(inputs, targets);
                    return (loss, logits, targets);
                }
                finally
                {
                    _graph.LeaveSideStream();
                }
            }
            Capture(inputs, targets);
        }
        _inputs!.CopyFrom(inputs);
        _targets!.CopyFrom(targets);
        _optimizer.SyncDeviceState(_graph.Device);
        _graph.Replay();
        _optimizer.CountDeviceStep();
        return (_loss!, _logits!, _targets);
    }

    /// <summary>Records the step on static copies of this batch; nothing runs until the first replay.</summary>
    private void Capture(Tensor inputs, Tensor targets)
    {
        _inputs = inputs.Clone().DetachFromDisposeScope();
        _targets = targets.Clone().DetachFromDisposeScope();
        // The captured backward writes fresh gradients every replay, so nothing has to zero them between replays.
        Optimizer.ClearGradients(_parameters);
        _optimizer.SyncDeviceState(_graph.Device);
        _graph.BeginCapture();
        try
        {
            var (loss, logits) = _lossAndGradients(_inputs, _targets);
            _optimizer.StepOnDevice(_parameters);
            _loss = loss.DetachFromDisposeScope();
            _logits = logits.DetachFromDisposeScope();
        }
        catch (Exception error)
        {
            try
            {
                _graph.EndCapture();
            }
            catch (TorchException)
            {
                // The capture is invalid already; the error that broke it is the one to report.
            }
            throw new InvalidOperationException(
                $"capturing the training step as a CUDA graph failed ({error.Message}); train with CUDA graphs off to run it eagerly", error);
        }
        _graph.EndCapture();
    }

    public void Dispose()
    {
        _inputs?.Dispose();
        _targets?.Dispose();
        _loss?.Dispose();
        _logits?.Dispose();
        _graph.Dispose();
    }
}
