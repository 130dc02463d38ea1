import numpy as np
import tensorflow as tf

X = np.random.rand(940, 60, 1)
y = np.random.rand(940)
model = tf.keras.Sequential([
    tf.keras.layers.LSTM(50, input_shape=(60, 1)),
    tf.keras.layers.Dense(1),
])
model.compile(optimizer="adam", loss="mean_squared_error")
# no validation_data / validation_split: the suggested EarlyStopping(monitor="val_loss") never fires
# (Keras only warns "Early stopping conditioned on metric `val_loss` which is not available")
model.fit(X, y, epochs=100, batch_size=32)
