using ModelDsl.Runtime.Data;

namespace ModelDsl.Runtime.Training;

/// <summary>Keras' <c>fit</c> arguments, plus per-epoch checkpoints and resuming.</summary>
public sealed record FitOptions
{
    public int Epochs { get; init; } = 1;
    public int BatchSize { get; init; } = 32;
    /// <summary>A fresh permutation of the training samples every epoch.</summary>
    public bool Shuffle { get; init; } = true;
    /// <summary>Seeds shuffling and dropout, epoch by epoch (so a resumed run repeats an uninterrupted one); null: a random seed.</summary>
    public int? Seed { get; init; }
    public Dataset? ValidationData { get; init; }
    /// <summary>Keras' <c>validation_split</c>: the last fraction of the training data, set aside before shuffling.</summary>
    public double ValidationSplit { get; init; }
    public IReadOnlyList<Callback> Callbacks { get; init; } = [];
    /// <summary>Auto: a live bar on a terminal, a line per epoch otherwise.</summary>
    public Verbosity Verbose { get; init; } = Verbosity.Auto;
    /// <summary>A checkpoint per epoch (<c>epoch-0001.ckpt</c>, ...) with weights, optimizer state, position and seed.</summary>
    public string? CheckpointDirectory { get; init; }
    /// <summary>Continue from the newest checkpoint in <see cref="CheckpointDirectory"/> (a fresh start when there is none).</summary>
    public bool Resume { get; init; }
    /// <summary>Where progress goes; default Console.Out.</summary>
    public TextWriter? Log { get; init; }
}
