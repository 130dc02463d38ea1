# flags: --unsafe-fixes
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Input(shape=(30, 4)), tf.keras.layers.GRU(64), tf.keras.layers.Dense(1)])
model.compile(optimizer="rmsprop", loss="mse")
# output
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Input(shape=(30, 4)), tf.keras.layers.GRU(64), tf.keras.layers.Dense(1)])
model.compile(optimizer=tf.keras.optimizers.RMSprop(clipnorm=1.0), loss="mse")
