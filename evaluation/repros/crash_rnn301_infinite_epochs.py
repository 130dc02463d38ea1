import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.LSTM(4, input_shape=(5, 1)), tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(X, y, epochs=float("inf"), callbacks=[])   # also epochs=float("nan") / 1e400
