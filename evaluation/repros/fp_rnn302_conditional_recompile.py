import numpy as np
import tensorflow as tf
X = np.random.rand(500, 20, 3); y = np.random.rand(500, 1)
model = tf.keras.Sequential([tf.keras.layers.Input(shape=(20, 3)), tf.keras.layers.LSTM(16), tf.keras.layers.Dense(1)])
model.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss="mse")
for epoch in range(40):
    if epoch == 20:
        model.compile(optimizer=tf.keras.optimizers.Adam(1e-4), loss="mse")   # fine-tune stage
    model.fit(X, y, epochs=1, validation_split=0.2)
