import pandas as pd
import tensorflow as tf
!wget https://example.com/austin_weather.csv

df = pd.read_csv("austin_weather.csv")
X = df[["TempAvgF", "month", "day"]].values.reshape(-1, 1, 3)
model = tf.keras.Sequential([tf.keras.layers.LSTM(20, activation="relu", input_shape=(1, 3)), tf.keras.layers.Dense(1)])
model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.05), loss="mse")
model.fit(X, df["TempAvgF"].values, epochs=200, validation_split=0.2)
