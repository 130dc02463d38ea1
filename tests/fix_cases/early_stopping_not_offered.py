# flags: --unsafe-fixes
import keras
import numpy as np


def make_callbacks():
    return [keras.callbacks.CSVLogger("log.csv")]


X = np.random.rand(800, 40, 3)
y = np.random.rand(800, 1)
model = keras.Sequential([keras.Input(shape=(40, 3)), keras.layers.LSTM(32), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(clipnorm=1.0), loss="mse")
model.fit(X, y, epochs=150)
model.fit(X, y, epochs=150, validation_split=0.1, callbacks=make_callbacks())
# output
import keras
import numpy as np


def make_callbacks():
    return [keras.callbacks.CSVLogger("log.csv")]


X = np.random.rand(800, 40, 3)
y = np.random.rand(800, 1)
model = keras.Sequential([keras.Input(shape=(40, 3)), keras.layers.LSTM(32), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(clipnorm=1.0), loss="mse")
model.fit(X, y, epochs=150)
model.fit(X, y, epochs=150, validation_split=0.1, callbacks=make_callbacks())
