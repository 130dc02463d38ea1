# flags: --unsafe-fixes
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Input(shape=(30, 4)), tf.keras.layers.LSTM(64), tf.keras.layers.Dense(1)])
optimizer = tf.keras.optimizers.Adam(
    learning_rate=1e-3,  # tuned by hand
    beta_1=0.9,
)
model.compile(optimizer=optimizer, loss="mse")
# output
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Input(shape=(30, 4)), tf.keras.layers.LSTM(64), tf.keras.layers.Dense(1)])
optimizer = tf.keras.optimizers.Adam(
    learning_rate=1e-3,  # tuned by hand
    beta_1=0.9,
    clipnorm=1.0,
)
model.compile(optimizer=optimizer, loss="mse")
