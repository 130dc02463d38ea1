# flags: --unsafe-fixes
import numpy as np
from tensorflow.keras.layers import LSTM, Dense, Input
from tensorflow.keras.models import Sequential

model = Sequential([Input(shape=(30, 4)), LSTM(64), Dense(1)])
model.compile("adam", loss="mse")
other = Sequential([Input(shape=(30, 4)), LSTM(32), Dense(1)])
other.compile(optimizer="adam", loss="mse")
# output
import numpy as np
from tensorflow.keras.layers import LSTM, Dense, Input
from tensorflow.keras.models import Sequential
from tensorflow.keras.optimizers import Adam

model = Sequential([Input(shape=(30, 4)), LSTM(64), Dense(1)])
model.compile(Adam(clipnorm=1.0), loss="mse")
other = Sequential([Input(shape=(30, 4)), LSTM(32), Dense(1)])
other.compile(optimizer=Adam(clipnorm=1.0), loss="mse")
