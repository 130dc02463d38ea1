# flags: --unsafe-fixes
import tensorflow as tf

params = {"learning_rate": 1e-3}
settings = {"loss": "mse"}
model = tf.keras.Sequential([tf.keras.layers.Input(shape=(30, 4)), tf.keras.layers.LSTM(64), tf.keras.layers.Dense(1)])
model.compile(optimizer=tf.keras.optimizers.Adam(**params), loss="mse")
names = ["adam", "sgd"]
for name in names:
    model.compile(optimizer=name, loss="mse")
# output
import tensorflow as tf

params = {"learning_rate": 1e-3}
settings = {"loss": "mse"}
model = tf.keras.Sequential([tf.keras.layers.Input(shape=(30, 4)), tf.keras.layers.LSTM(64), tf.keras.layers.Dense(1)])
model.compile(optimizer=tf.keras.optimizers.Adam(**params), loss="mse")
names = ["adam", "sgd"]
for name in names:
    model.compile(optimizer=name, loss="mse")
