# flags: --unsafe-fixes
from tensorflow.keras.layers import LSTM, Dense, Input
from tensorflow.keras.models import Sequential
from tensorflow.keras.optimizers import SGD  # the baseline

model = Sequential([Input(shape=(30, 4)), LSTM(64), Dense(1)])
model.compile(optimizer="nadam", loss="mse")
# output
from tensorflow.keras.layers import LSTM, Dense, Input
from tensorflow.keras.models import Sequential
from tensorflow.keras.optimizers import SGD, Nadam  # the baseline

model = Sequential([Input(shape=(30, 4)), LSTM(64), Dense(1)])
model.compile(optimizer=Nadam(clipnorm=1.0), loss="mse")
