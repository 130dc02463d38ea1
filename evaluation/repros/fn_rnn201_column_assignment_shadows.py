import pandas as pd
import tensorflow as tf
from tensorflow import keras

df = pd.read_csv("austin_weather.csv")
data_df = df[["Date", "TempAvgF", "month", "day"]]
data_df["Target"] = df["TempAvgF"].shift(-10)
X_train = data_df[["TempAvgF", "month", "day"]].values
y_train = data_df["Target"].values
dataset_train = tf.keras.preprocessing.timeseries_dataset_from_array(X_train, y_train, sequence_length=10)
model = keras.Sequential([keras.layers.Input(shape=(10, 3)), keras.layers.LSTM(20), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(1e-3, clipnorm=1.0), loss="mse")
model.fit(dataset_train, epochs=5)
