# FP: RNN106 "the metric accuracy counts exact matches, which a regression model almost never produces".
# With Dense(1, activation="sigmoid") Keras resolves "accuracy" to binary_accuracy (threshold 0.5), which is
# meaningful for 0/1 labels; mse on a sigmoid is an (old-fashioned) binary classifier, not a regression.
# Cause: checks/loss_activation_mismatch.py (~L97): every accuracy metric under a REGRESSION_LOSSES loss is
# reported as accuracy_on_regression without looking at the output head (sigmoid / softmax heads should be
# exempt). The other RNN106 finding on the same loss ("regression_on_sigmoid", info) is at most debatable.
from keras.models import Sequential
from keras.layers import LSTM, Dense

model = Sequential()
model.add(LSTM(32, input_shape=(10, 1)))
model.add(Dense(1, activation="sigmoid"))
model.compile(loss="mean_squared_error", optimizer="adam", metrics=["accuracy"])
