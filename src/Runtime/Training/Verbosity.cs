namespace ModelDsl.Runtime.Training;

/// <summary>How <see cref="SequentialModel.Fit"/> reports progress (Keras' <c>verbose</c> 0, 1, 2, or "auto").</summary>
public enum Verbosity
{
    /// <summary>A live progress bar on a terminal; one line per epoch when the output is redirected.</summary>
    Auto,
    /// <summary>Nothing (Keras' verbose=0).</summary>
    Silent,
    /// <summary>A live progress bar updated in place (Keras' verbose=1).</summary>
    ProgressBar,
    /// <summary>One line per epoch (Keras' verbose=2).</summary>
    OneLinePerEpoch,
}
