using Perplex.Training;

namespace Perplex.Encoders;

/// <summary>How a tagger or classifier is trained.</summary>
/// <param name="Epochs">Passes over the training data (<c>--epochs</c>).</param>
/// <param name="LearningRate">Initial learning rate (<c>--lr</c>).</param>
/// <param name="BatchSize">Most sequences per batch; batches hold sequences of one length (<c>--batch-size</c>).</param>
/// <param name="Clip">Global gradient-norm limit, 0 for none (<c>--clip</c>).</param>
/// <param name="Seed">Seed of initialisation, shuffling and dropout (<c>--seed</c>).</param>
/// <param name="Optimizer">sgd, adam or adamw (<c>--optimizer</c>).</param>
/// <param name="LearningRateDecay">Divisor applied to the learning rate after an epoch that did not improve validation
/// (<see cref="LearningRateSchedule.Plateau"/> only).</param>
/// <param name="Threads">Copies of the network that train on parts of each batch at once, one per thread
/// (data parallelism, <c>--threads</c>); 1 trains on one thread.</param>
/// <param name="MaxMinutes">Stop after this much wall-clock training time (the epoch in progress is validated and kept if better); null for no limit.</param>
/// <param name="Patience">Stop after this many epochs in a row without a better validation score (early stopping); null never stops early.</param>
/// <param name="Adversarial">ε of adversarial training, the per-sequence norm of the worst-case change added to the
/// recurrent network's input (<c>--adversarial</c>; classifier only); 0 trains on the clean loss alone.</param>
/// <param name="AverageDecay">Decay d of an exponential moving average of the weights that validation and the saved
/// model use (<c>--average</c>, see <see cref="WeightAverage"/>); 0 uses the raw weights.</param>
/// <param name="Schedule">How the learning rate changes over the run (<c>--lr-schedule</c>); see <see cref="LearningRateSchedules.Multiplier"/>.</param>
public sealed record TrainingSettings(
    int Epochs = 10, double LearningRate = 1e-3, int BatchSize = 32, double Clip = 5, ulong Seed = 1,
    string Optimizer = "adam", double LearningRateDecay = 2, double? MaxMinutes = null, int Threads = 1, int? Patience = null,
    double Adversarial = 0, double AverageDecay = 0, LearningRateSchedule Schedule = LearningRateSchedule.Plateau);
