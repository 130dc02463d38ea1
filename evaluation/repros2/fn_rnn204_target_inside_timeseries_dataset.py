# Expected RNN204 (raw temperatures in degrees F as mse target through a linear Dense(1)); got nothing.
# From kio_austin_temperature_lstm_parsable.py (keras-io example). RNN201 does follow X into the dataset.
# Cause: checks/unscaled_regression_target.py skips every fit whose y is None (`if fit.y is None ... continue`);
# the targets passed as the 2nd argument of timeseries_dataset_from_array / Dataset.from_tensor_slices((X, y))
# are never traced. Same script with fit(X_train, y_train) -> RNN204 fires.
import pandas as pd
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

df = pd.read_csv("austin_weather.csv")
X_train = df[["TempAvgF", "TempHighF", "TempLowF"]].values
y_train = df["TempAvgF"].shift(-10).values
dataset_train = tf.keras.preprocessing.timeseries_dataset_from_array(X_train, y_train, sequence_length=10)
model = keras.Sequential([layers.Input(shape=(10, 3)), layers.LSTM(20), layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(dataset_train, epochs=5)
