import numpy as np
import tensorflow as tf

series = np.load("series.npy")
dataset = tf.data.Dataset.from_tensor_slices(series).window(21, shift=1, drop_remainder=True)
model = tf.keras.Sequential([
    tf.keras.layers.Lambda(lambda x: tf.expand_dims(x, axis=-1), input_shape=[None]),
    tf.keras.layers.LSTM(32),
    tf.keras.layers.Dense(1),
])
# learning-rate range test (DeepLearning.AI time-series course): sweep 1e-8 -> 1e-3 over 100 epochs
lr_schedule = tf.keras.callbacks.LearningRateScheduler(lambda epoch: 1e-8 * 10**(epoch / 20))
optimizer = tf.keras.optimizers.SGD(learning_rate=1e-8, momentum=0.9)    # RNN102 "below 1e-05": FP
model.compile(loss=tf.keras.losses.Huber(), optimizer=optimizer)
history = model.fit(dataset, epochs=100, callbacks=[lr_schedule])        # RNN301: FP, stopping early defeats the sweep
lrs = 1e-8 * (10 ** (np.arange(100) / 20))
