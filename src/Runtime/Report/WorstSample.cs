namespace ModelDsl.Runtime.Report;

/// <summary>
/// A test sample the model got most wrong: sample <paramref name="Index"/> of the test set, of class
/// <paramref name="Label"/>, to which the model gave only <paramref name="LabelProbability"/>, preferring
/// <paramref name="Predicted"/>. <paramref name="Image"/> is null when the input is not image-like.
/// </summary>
public sealed record WorstSample(
    long Index,
    int Label,
    int Predicted,
    double LabelProbability,
    double PredictedProbability,
    SampleImage? Image);
