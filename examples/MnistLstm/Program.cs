// Trains the reference MNIST LSTM declared in mnist-lstm.model.yaml. The MnistLstm class is generated
// at compile time from that file by the ModelDsl source generator.
using Examples.Mnist;

return ExampleRunner.Run(
    args,
    MnistLstm.Summary(),
    defaultModelPath: "mnist-lstm.ckpt",
    (train, test, options) => MnistLstm.Train(
        train,
        validation: test,
        epochs: options.Epochs ?? MnistLstm.DefaultEpochs,
        batchSize: options.BatchSize ?? MnistLstm.DefaultBatchSize,
        device: options.Device,
        checkpointDirectory: options.CheckpointDirectory,
        resume: options.Resume));
