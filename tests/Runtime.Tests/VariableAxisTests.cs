using ModelDsl.Runtime.Training;

namespace ModelDsl.Runtime.Tests;

public class VariableAxisTests
{
    [Theory]
    [InlineData(new long[] { 28, 8 }, true)]
    [InlineData(new long[] { 3, 8 }, true)]
    [InlineData(new long[] { 28, 9 }, false)]
    [InlineData(new long[] { 28 }, false)]
    public void AVariableAxisTakesAnyLengthAndTheOthersTheirOwn(long[] sample, bool fits)
    {
        Assert.Equal(fits, SequentialModel.Fits(sample, [SequentialModel.VariableAxis, 8]));
        Assert.Equal("None, 8", SequentialModel.Axes([SequentialModel.VariableAxis, 8]));
    }
}
