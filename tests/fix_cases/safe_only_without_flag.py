# flags:
import numpy as np
import tensorflow as tf
from sklearn.preprocessing import MinMaxScaler

prices = np.load("prices.npy")
split = int(len(prices) * 0.8)
train, test = prices[:split], prices[split:]
scaler = MinMaxScaler()
train_scaled = scaler.fit_transform(train)
test_scaled = scaler.fit_transform(test)
model = tf.keras.Sequential([tf.keras.layers.Input(shape=(30, 1)), tf.keras.layers.LSTM(64), tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
# output
import numpy as np
import tensorflow as tf
from sklearn.preprocessing import MinMaxScaler

prices = np.load("prices.npy")
split = int(len(prices) * 0.8)
train, test = prices[:split], prices[split:]
scaler = MinMaxScaler()
train_scaled = scaler.fit_transform(train)
test_scaled = scaler.transform(test)
model = tf.keras.Sequential([tf.keras.layers.Input(shape=(30, 1)), tf.keras.layers.LSTM(64), tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
