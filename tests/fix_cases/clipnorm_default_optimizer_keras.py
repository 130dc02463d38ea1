# flags: --unsafe-fixes
import keras
from keras import layers

model = keras.Sequential([keras.Input(shape=(20, 3)), layers.SimpleRNN(16), layers.Dense(1)])
model.compile(
    loss="mse",
    metrics=["mae"],
)
# output
import keras
from keras import layers

model = keras.Sequential([keras.Input(shape=(20, 3)), layers.SimpleRNN(16), layers.Dense(1)])
model.compile(
    loss="mse",
    metrics=["mae"],
    optimizer=keras.optimizers.RMSprop(clipnorm=1.0),
)
