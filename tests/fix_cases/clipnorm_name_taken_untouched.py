# flags: --unsafe-fixes
from tensorflow.keras.layers import LSTM, Dense, Input
from tensorflow.keras.models import Sequential


def Adam(rate):
    return {"optimizer": "adam", "rate": rate}


model = Sequential([Input(shape=(30, 4)), LSTM(64), Dense(1)])
model.compile(optimizer="adam", loss="mse")
# output
from tensorflow.keras.layers import LSTM, Dense, Input
from tensorflow.keras.models import Sequential


def Adam(rate):
    return {"optimizer": "adam", "rate": rate}


model = Sequential([Input(shape=(30, 4)), LSTM(64), Dense(1)])
model.compile(optimizer="adam", loss="mse")
